package dev.lockmanager.lock.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * One scenario of the fault-injection suite: starts the client processes, lets a {@link Nemesis} inject its fault
 * several times (each once the clients have settled, the next once the lock was acquired again after the heal),
 * stops the clients, checks the history with {@link HistoryChecker}, reports it ({@link ChaosReport}) and fails on
 * any violation. The whole history is written to {@code target/chaos/<scenario>.history}.
 */
final class ChaosRun implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

	private final String scenario;

	private final ChaosProfile profile;

	private final LockRedis lockRedis;

	private final RedisServer resource;

	private final List<ClientProcess> clients = new CopyOnWriteArrayList<>();

	private final List<Fault> faults = new ArrayList<>();

	/** Why the run ended early: the lock stayed free for too long. */
	private String stall;

	/**
	 * @param scenario the scenario's name: also the lock key and the counter's name
	 * @param profile how many processes, the leases' ttl and the clients' timeouts
	 * @param lockRedis the Redis the clients lock on
	 * @param resource the Redis holding the fenced counter, never faulted
	 */
	ChaosRun(String scenario, ChaosProfile profile, LockRedis lockRedis, RedisServer resource) {
		this.scenario = scenario;
		this.profile = profile;
		this.lockRedis = lockRedis;
		this.resource = resource;
	}

	/**
	 * Runs the scenario and checks its history.
	 * @param faultCount how many times to inject the fault
	 * @param nemesis injects one fault and heals it
	 * @throws AssertionError listing the violations, with the scenario's figures
	 */
	void execute(int faultCount, Nemesis nemesis) throws Exception {
		List<ClientProcess> started = new ArrayList<>();
		for (int i = 0; i < this.profile.processes(); i++) {
			started.add(startClient());
		}
		for (ClientProcess client : started) {
			client.awaitReady(STARTUP_TIMEOUT);
		}
		if (!waitUntil(STARTUP_TIMEOUT,
				() -> started.stream().allMatch((client) -> client.completedOperations() > 0))) {
			throw new IllegalStateException("Not every client of " + this.scenario + " completed an operation within "
					+ STARTUP_TIMEOUT + ": " + started.stream().map(ClientProcess::output).toList());
		}
		for (int i = 0; i < faultCount; i++) {
			Thread.sleep(ThreadLocalRandom.current().nextLong(300, 1000));
			Fault fault;
			try {
				fault = nemesis.inject(this);
			}
			catch (NoHolderException ex) {
				this.stall = "before fault #" + (i + 1) + ": " + ex.getMessage();
				break;
			}
			this.faults.add(fault);
			awaitAcquisitionAfter(fault.healed());
		}
		Thread.sleep(500);
		finish();
	}

	/**
	 * Starts one more client process, for instance to replace a killed one.
	 */
	ClientProcess startClient() {
		String name = "p" + (this.clients.size() + 1);
		ClientProcess client = ClientProcess.start(name,
				List.of("--lock=" + this.lockRedis.addressOf().apply(name), "--resource=" + this.resource.port(),
						"--key=" + this.scenario, "--ttl=" + this.profile.ttl().toMillis(),
						"--wait=" + this.profile.waitTime().toMillis(), "--think=" + this.profile.think().toMillis(),
						"--timeout=" + this.profile.commandTimeout().toMillis()));
		this.clients.add(client);
		return client;
	}

	/**
	 * Waits until a client acquired the lease after {@code nanos}, at most a second longer than the checker allows;
	 * not an assertion: the checker reports a slow recovery, with the whole history.
	 */
	void awaitAcquisitionAfter(long nanos) throws InterruptedException {
		waitUntil(this.profile.ttl().plus(HistoryChecker.RECOVERY_MARGIN).plusSeconds(1),
				() -> this.clients.stream().anyMatch((client) -> client.lastAcquired() >= nanos));
	}

	/**
	 * Waits for a client that holds the lease right now.
	 * @throws NoHolderException if none does within 10 seconds: the run ends and its history is checked
	 */
	ClientProcess awaitHolder() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			for (ClientProcess client : this.clients) {
				if (client.isHolding()) {
					return client;
				}
			}
			Thread.sleep(2);
		}
		throw new NoHolderException("no client held the lease for 10s");
	}

	/** The lease key of the scenario's lock, e.g. to find the Cluster master serving it. */
	String leaseKey() {
		return "lock:{" + ChaosClient.LOCK_NAME + ":" + this.scenario + "}";
	}

	@Override
	public void close() {
		this.clients.forEach(ClientProcess::close);
	}

	private void finish() throws InterruptedException {
		Duration stopTimeout = this.profile.waitTime().plus(this.profile.commandTimeout()).plusSeconds(5);
		for (ClientProcess client : this.clients) {
			client.stop(stopTimeout);
		}
		History history = new History(
				this.clients.stream()
					.flatMap((client) -> client.operations().stream())
					.sorted(Comparator.comparingLong(Operation::acquired))
					.toList(),
				this.clients.stream().flatMap((client) -> client.failures().stream()).toList(), this.faults);
		ResourceState state = FencedCounter.read(this.resource, this.scenario);
		Map<String, Long> keyTtls = this.lockRedis.keyTtls(leaseKey() + "*");
		Verdict verdict = HistoryChecker.check(history, state, keyTtls, this.profile.ttl());
		Path file = writeHistory(history, state, keyTtls);
		String row = ChaosReport.add(this.scenario, this.profile, verdict);
		System.out.println(row);
		List<String> problems = new ArrayList<>(verdict.violations());
		if (this.stall != null) {
			problems.add("the run ended early, " + this.stall);
		}
		for (ClientProcess client : this.clients) {
			client.errors().forEach((error) -> problems.add("client " + client.name() + ": " + error));
		}
		if (!problems.isEmpty()) {
			StringBuilder message = new StringBuilder("Scenario " + this.scenario + " broke "
					+ problems.size() + " rule(s):\n" + row + "\n");
			problems.stream().limit(20).forEach((problem) -> message.append("  ").append(problem).append('\n'));
			message.append("History: ").append(file.toAbsolutePath()).append('\n');
			for (ClientProcess client : this.clients) {
				message.append("Output of ").append(client).append(":\n").append(client.output()).append('\n');
			}
			throw new AssertionError(message);
		}
	}

	private Path writeHistory(History history, ResourceState state, Map<String, Long> keyTtls) {
		Path file = Path.of("target", "chaos", this.scenario + ".history");
		List<String> lines = Stream.of(history.faults().stream().map(Fault::toLine),
				history.operations().stream().map(Operation::toLine),
				history.failures().stream().map(AcquireFailure::toLine),
				Stream.of("resource value=" + state.value() + " accepted=" + state.acceptedTokens()),
				keyTtls.entrySet().stream().map((entry) -> "key " + entry.getKey() + " pttl=" + entry.getValue()))
			.flatMap((stream) -> stream)
			.toList();
		try {
			Files.createDirectories(file.getParent());
			return Files.write(file, lines);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write " + file, ex);
		}
	}

	private static boolean waitUntil(Duration timeout, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			Thread.sleep(10);
		}
		return true;
	}

	private static final class NoHolderException extends RuntimeException {

		NoHolderException(String message) {
			super(message);
		}

	}

	/**
	 * Injects one fault into a running scenario and heals it.
	 */
	@FunctionalInterface
	interface Nemesis {

		/**
		 * @return the fault, with when it began and when it healed
		 */
		Fault inject(ChaosRun run) throws Exception;

	}

}
