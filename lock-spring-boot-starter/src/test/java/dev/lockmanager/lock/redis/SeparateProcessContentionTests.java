package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Contention between application instances in separate JVM processes ({@link ContendingProcess}), the only real
 * test of handoff across processes: the fairness bound gives every process its turn, and a process killed while its
 * threads hand the lease around leaves a key that expires.
 */
class SeparateProcessContentionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final List<Process> processes = new ArrayList<>();

	@AfterEach
	void stopProcesses() {
		this.processes.forEach(Process::destroyForcibly);
	}

	@Test
	void everyProcessGetsAtLeastAQuarterOfItsFairShareAndNoWaiterWaitsPastItsWaitTime() throws Exception {
		int processCount = 4;
		// Start together once every JVM is up, for 10 seconds of contention
		long startAt = System.currentTimeMillis() + 4000;
		List<CompletableFuture<Map<String, Long>>> results = new ArrayList<>();
		for (int i = 0; i < processCount; i++) {
			Process process = start("fair", 2, startAt, startAt + 10_000, 50, 30_000);
			results.add(CompletableFuture.supplyAsync(() -> result(process, new AtomicLong())));
		}
		List<Map<String, Long>> outcomes = new ArrayList<>();
		for (CompletableFuture<Map<String, Long>> result : results) {
			outcomes.add(result.get(60, TimeUnit.SECONDS));
		}
		long total = outcomes.stream().mapToLong((outcome) -> outcome.get("acquired")).sum();
		assertThat(total).isPositive();
		for (Map<String, Long> outcome : outcomes) {
			assertThat(outcome.get("acquired")).as("acquisitions of one process out of %d (%s)", total, outcomes)
				.isGreaterThanOrEqualTo(total / processCount / 4);
			assertThat(outcome.get("timeouts")).as("waits that ran out of their 5s (%s)", outcomes).isZero();
			assertThat(outcome.get("maxWaitMillis")).isLessThan(5000);
			assertThat(outcome.get("overlaps")).isZero();
			assertThat(outcome.get("regressions")).isZero();
		}
	}

	@Test
	void aProcessKilledWhileHandingTheLeaseAroundLeavesAKeyThatExpires() throws Exception {
		long now = System.currentTimeMillis();
		Process process = start("killed", 3, now, now + 60_000, 0, 2_000);
		AtomicLong maxToken = new AtomicLong();
		CompletableFuture.runAsync(() -> result(process, maxToken));
		long firstToken = awaitToken(maxToken, 0);
		awaitToken(maxToken, firstToken);
		process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		long killedAt = System.nanoTime();
		LettuceConnectionFactory factory = RedisConnections.connectionFactory(redis.server());
		try (RedisLockManager manager = RedisLockManager.builder(factory).build()) {
			Lease lease = manager.acquire(LockRequest.of("default", "killed", Duration.ofSeconds(10))
				.withWaitTime(Duration.ofSeconds(10)));
			assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("the killed holder's 2s ttl")
				.isLessThan(Duration.ofMillis(4500));
			assertThat(lease.fencingToken()).isGreaterThan(maxToken.get());
			lease.release();
		}
		finally {
			factory.destroy();
		}
	}

	private static long awaitToken(AtomicLong maxToken, long above) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (maxToken.get() <= above) {
			assertThat(System.nanoTime()).as("the process reports a lease").isLessThan(deadline);
			Thread.sleep(10);
		}
		return maxToken.get();
	}

	private Process start(String key, int threads, long startAt, long endAt, long holdMicros, long ttlMillis)
			throws Exception {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		Process process = new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
				"-cp", System.getProperty("java.class.path"), ContendingProcess.class.getName(),
				Integer.toString(redis.server().port()), key, Integer.toString(threads), Long.toString(startAt),
				Long.toString(endAt), Long.toString(holdMicros), Long.toString(ttlMillis))
			.redirectErrorStream(true)
			.start();
		this.processes.add(process);
		return process;
	}

	/**
	 * Reads a process's output until it ends: the largest token it reported, and its result line.
	 */
	private static Map<String, Long> result(Process process, AtomicLong maxToken) {
		Map<String, Long> result = new HashMap<>();
		StringBuilder output = new StringBuilder();
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				if (line.startsWith("token ")) {
					maxToken.accumulateAndGet(Long.parseLong(line.substring(6)), Math::max);
				}
				else if (line.startsWith("result ")) {
					for (String field : line.substring(7).split(" ")) {
						String[] pair = field.split("=");
						result.put(pair[0], Long.parseLong(pair[1]));
					}
				}
				else {
					output.append(line).append('\n');
				}
			}
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
		if (result.isEmpty() && maxToken.get() == 0) {
			throw new IllegalStateException("The process reported nothing:\n" + output);
		}
		return result;
	}

}
