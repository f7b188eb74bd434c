package dev.lockmanager.lock.chaos;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.lockmanager.lock.testing.Watchdog;

/**
 * A {@link ChaosClient} in a JVM of its own, seen from the test: it collects the client's history as the lines
 * arrive, knows whether the client holds the lease right now, and pauses, resumes or kills it. A
 * {@link Watchdog} SIGKILLs the client should the test JVM die, even while it is paused.
 */
final class ClientProcess implements AutoCloseable {

	/** Lines of the client's own output (warnings, errors) kept for a failure message. */
	private static final int OUTPUT_LINES = 50;

	private final String name;

	private final Process process;

	private final Watchdog watchdog;

	private final Thread reader;

	private final List<Operation> operations = new ArrayList<>();

	private final List<AcquireFailure> failures = new ArrayList<>();

	private final List<String> errors = new ArrayList<>();

	private final Deque<String> output = new ArrayDeque<>();

	/** The last {@code holding} line not yet followed by its operation, or null. */
	private String holding;

	/** The {@code ending} line of the operation in progress, or null. */
	private String ending;

	private boolean ready;

	private long clockSkewNanos;

	private long diedAt;

	private ClientProcess(String name, Process process) {
		this.name = name;
		this.process = process;
		this.watchdog = Watchdog.guard(process.pid());
		this.reader = new Thread(this::read, "history-" + name);
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Starts a client; its arguments are described on {@link ChaosClient}.
	 */
	static ClientProcess start(String name, List<String> arguments) {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
			.toString(), "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), ChaosClient.class.getName(), "--process=" + name));
		command.addAll(arguments);
		try {
			return new ClientProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start client " + name, ex);
		}
	}

	String name() {
		return this.name;
	}

	/**
	 * Waits until the client is connected and about to take its first lease.
	 * @throws IllegalStateException if it is not within {@code timeout}, or its clock is not this JVM's
	 */
	synchronized void awaitReady(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!this.ready && this.process.isAlive() && System.nanoTime() < deadline) {
			wait(50);
		}
		if (!this.ready) {
			throw new IllegalStateException("Client " + this.name + " did not start within " + timeout + ":\n"
					+ String.join("\n", this.output));
		}
		// The history compares System.nanoTime() across processes: that needs one CLOCK_MONOTONIC (Linux)
		if (Math.abs(this.clockSkewNanos) > TimeUnit.SECONDS.toNanos(5)) {
			throw new IllegalStateException("Client " + this.name + "'s System.nanoTime() differs from the test's by "
					+ Duration.ofNanos(this.clockSkewNanos)
					+ ": the suite needs processes sharing one monotonic clock");
		}
	}

	synchronized boolean isHolding() {
		return this.holding != null && this.ending == null && this.process.isAlive();
	}

	synchronized int completedOperations() {
		return this.operations.size();
	}

	/** When the client last acquired the lease, or {@code Long.MIN_VALUE}. */
	synchronized long lastAcquired() {
		long last = Long.MIN_VALUE;
		if (this.holding != null) {
			last = Long.parseLong(Operation.fields(this.holding, "holding ").get("acquired"));
		}
		if (!this.operations.isEmpty()) {
			last = Math.max(last, this.operations.get(this.operations.size() - 1).acquired());
		}
		return last;
	}

	/** SIGSTOP: the client stops dead, its renewal thread included, until {@link #resume()}. */
	void pause() {
		signal("STOP");
	}

	/** SIGCONT. */
	void resume() {
		signal("CONT");
	}

	/**
	 * SIGKILL, like a crash; a lease it holds is recorded as held until now, unless the client reported it was done
	 * with the resource. Unlike {@link Process#destroyForcibly()}, which closes the pipes at once, its handle leaves
	 * the lines already written to be read: the last ones say whether it was still holding.
	 */
	void kill() throws InterruptedException {
		this.process.toHandle().destroyForcibly();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("Client " + this.name + " did not die within 10s of SIGKILL");
		}
		synchronized (this) {
			this.diedAt = System.nanoTime();
		}
	}

	/**
	 * Asks the client to finish its current operation and exit; kills it if it has not within {@code timeout}.
	 */
	void stop(Duration timeout) throws InterruptedException {
		if (this.process.isAlive()) {
			try (Writer in = new OutputStreamWriter(this.process.getOutputStream(), UTF_8)) {
				in.write("stop\n");
			}
			catch (IOException ex) {
				// it died meanwhile
			}
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				synchronized (this) {
					this.errors.add("did not stop within " + timeout + " of being asked to");
				}
				kill();
			}
		}
		this.reader.join(TimeUnit.SECONDS.toMillis(5));
	}

	/** The client's history; an operation it died in the middle of ends when it was killed. */
	synchronized List<Operation> operations() {
		List<Operation> all = new ArrayList<>(this.operations);
		if (this.holding != null && this.diedAt != 0) {
			all.add(Operation.diedHolding(this.holding, this.ending, this.diedAt));
		}
		return all;
	}

	synchronized List<AcquireFailure> failures() {
		return List.copyOf(this.failures);
	}

	/** What went wrong in the client itself: unexpected exceptions, a refusal to stop. */
	synchronized List<String> errors() {
		return List.copyOf(this.errors);
	}

	/** The client's last lines of other output. */
	synchronized String output() {
		return String.join("\n", this.output);
	}

	@Override
	public void close() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.watchdog.close();
	}

	@Override
	public String toString() {
		return this.name + " (pid " + this.process.pid() + ")";
	}

	private void read() {
		try (BufferedReader lines = new BufferedReader(new InputStreamReader(this.process.getInputStream(), UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				accept(line);
			}
		}
		catch (IOException ex) {
			// the process is gone
		}
	}

	private synchronized void accept(String line) {
		if (line.startsWith("holding ")) {
			this.holding = line;
		}
		else if (line.startsWith("ending ")) {
			this.ending = line;
		}
		else if (line.startsWith("op ")) {
			this.operations.add(Operation.fromLine(line));
			this.holding = null;
			this.ending = null;
		}
		else if (line.startsWith("failed ")) {
			this.failures.add(AcquireFailure.fromLine(line));
		}
		else if (line.startsWith("clock nanos=")) {
			this.clockSkewNanos = System.nanoTime() - Long.parseLong(line.substring("clock nanos=".length()));
		}
		else if (line.equals("ready")) {
			this.ready = true;
			notifyAll();
		}
		else {
			if (line.startsWith("error ")) {
				this.errors.add(line.substring("error ".length()));
			}
			this.output.addLast(line);
			if (this.output.size() > OUTPUT_LINES) {
				this.output.removeFirst();
			}
		}
	}

	private void signal(String signal) {
		try {
			// Process cannot send SIGSTOP/SIGCONT; the shell's kill builtin can
			Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -" + signal + " " + this.process.pid())
				.redirectErrorStream(true)
				.start();
			String said = new String(kill.getInputStream().readAllBytes(), UTF_8);
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + this + " failed: " + said);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not send SIG" + signal + " to " + this, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while sending SIG" + signal + " to " + this, ex);
		}
	}

}
