package dev.lockmanager.lock.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import ch.qos.logback.classic.Level;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * One client of the fault-injection suite, in a JVM of its own ({@link ClientProcess} starts it): it loops
 * "acquire, increment the {@link FencedCounter}, release" and prints its history on standard output, one line per
 * event ({@link Operation}, {@link AcquireFailure}), until it reads {@code stop} or end of input on standard input.
 * <p>
 * Arguments, each {@code --name=value}: {@code process}; {@code lock}, the lock Redis as
 * {@code standalone:host:port}, {@code sentinel:master:host:port,...} or {@code cluster:host:port,...};
 * {@code resource}, the resource Redis's port; {@code key}, the lock key and counter name; {@code ttl},
 * {@code wait}, {@code think} and {@code timeout} (the Redis command timeout) in milliseconds.
 */
public final class ChaosClient {

	/** Lock name of every lease the suite takes. */
	static final String LOCK_NAME = "chaos";

	/**
	 * The resource is never faulted, but its client is paused with the process: a short timeout would expire during
	 * the pause and turn a write into one of unknown outcome.
	 */
	private static final Duration RESOURCE_TIMEOUT = Duration.ofSeconds(30);

	private ChaosClient() {
	}

	public static void main(String[] args) throws Exception {
		((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
			.setLevel(Level.WARN);
		Map<String, String> options = new HashMap<>();
		Arrays.stream(args).map((arg) -> arg.substring(2).split("=", 2)).forEach((kv) -> options.put(kv[0], kv[1]));
		String process = options.get("process");
		String key = options.get("key");
		Duration timeout = Duration.ofMillis(Long.parseLong(options.get("timeout")));
		LockRequest request = LockRequest.of(LOCK_NAME, key, Duration.ofMillis(Long.parseLong(options.get("ttl"))))
			.withWaitTime(Duration.ofMillis(Long.parseLong(options.get("wait"))));
		long thinkMillis = Long.parseLong(options.get("think"));

		System.out.println("clock nanos=" + System.nanoTime());
		LettuceConnectionFactory lockConnections = connectionFactory(lockRedis(options.get("lock")), timeout,
				options.get("lock").startsWith("cluster:"));
		LettuceConnectionFactory resourceConnections = connectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", Integer.parseInt(options.get("resource"))),
				RESOURCE_TIMEOUT, false);
		Set<Long> lostTokens = ConcurrentHashMap.newKeySet();
		RedisLockManager manager = RedisLockManager.builder(lockConnections).listener(new LeaseListener() {
			@Override
			public void lost(Lease lease, String reason) {
				lostTokens.add(lease.fencingToken());
			}
		}).build();
		FencedCounter counter = new FencedCounter(new StringRedisTemplate(resourceConnections), key);
		// Connections, scripts and classes are loaded before the workload starts: a cold first call is slow enough
		// on a busy machine to outlast the wait time, which would read as a fault's effect
		manager.tryAcquire(LockRequest.of(LOCK_NAME, key + "-warm-up", request.ttl())).ifPresent(Lease::release);
		Thread stopper = new Thread(ChaosClient::awaitStop, "stop-reader");
		stopper.setDaemon(true);
		stopper.start();
		System.out.println("ready");
		while (stopper.isAlive()) {
			long acquireStart = System.nanoTime();
			Lease lease;
			try {
				lease = manager.acquire(request);
			}
			catch (LockNotAcquiredException ex) {
				System.out.println(new AcquireFailure(process, acquireStart, System.nanoTime(),
						ex instanceof LockBackendUnavailableException).toLine());
				continue;
			}
			long acquired = System.nanoTime();
			Instant acquiredAt = Instant.now();
			System.out.println(
					Operation.holdingLine(process, lease.fencingToken(), acquireStart, acquired, acquiredAt));
			Duration think = Duration
				.ofMillis(ThreadLocalRandom.current().nextLong(thinkMillis / 2, thinkMillis * 3 / 2 + 1));
			FencedCounter.Result result;
			try {
				result = counter.increment(lease.fencingToken(), think);
			}
			catch (RuntimeException ex) {
				System.out.println("error the resource failed: " + ex);
				result = new FencedCounter.Result(Operation.Answer.ERROR, -1);
			}
			boolean held = lease.isHeld();
			long end = System.nanoTime();
			Instant endedAt = Instant.now();
			System.out.println(Operation.endingLine(process, lease.fencingToken(), end, endedAt));
			Operation.Release release;
			try {
				lease.release();
				release = Operation.Release.RELEASED;
			}
			catch (LeaseLostException ex) {
				release = Operation.Release.LOST;
			}
			catch (RuntimeException ex) {
				System.out.println("error release failed: " + ex);
				release = Operation.Release.FAILED;
			}
			System.out.println(new Operation(process, lease.fencingToken(), acquireStart, acquired, end,
					System.nanoTime(), acquiredAt, endedAt, true, held, release,
					lostTokens.contains(lease.fencingToken()), result.answer(), result.value())
				.toLine());
		}
		manager.close();
		lockConnections.destroy();
		resourceConnections.destroy();
		System.out.println("done");
		System.exit(0);
	}

	/** Returns once standard input says {@code stop} or ends (the test JVM is gone). */
	private static void awaitStop() {
		try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
			String line;
			while ((line = in.readLine()) != null && !line.equals("stop")) {
				// keep reading
			}
		}
		catch (IOException ex) {
			// standard input is gone: stop as well
		}
	}

	private static RedisConfiguration lockRedis(String spec) {
		String[] parts = spec.split(":", 2);
		switch (parts[0]) {
			case "standalone": {
				String[] address = parts[1].split(":");
				return new RedisStandaloneConfiguration(address[0], Integer.parseInt(address[1]));
			}
			case "sentinel": {
				String[] masterAndNodes = parts[1].split(":", 2);
				return new RedisSentinelConfiguration(masterAndNodes[0], Set.of(masterAndNodes[1].split(",")));
			}
			case "cluster":
				return new RedisClusterConfiguration(List.of(parts[1].split(",")));
			default:
				throw new IllegalArgumentException("Unknown lock Redis " + spec);
		}
	}

	/**
	 * Configured as a Spring Boot application would be; on a Cluster with both kinds of topology refresh (see the
	 * README), or a crashed master's keys stay routed to its address.
	 */
	private static LettuceConnectionFactory connectionFactory(RedisConfiguration configuration, Duration timeout,
			boolean cluster) {
		LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
			.commandTimeout(timeout);
		if (cluster) {
			client.clientOptions(ClusterClientOptions.builder()
				.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
					.enableAllAdaptiveRefreshTriggers()
					.enablePeriodicRefresh(Duration.ofSeconds(1))
					.build())
				.build());
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration, client.build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
