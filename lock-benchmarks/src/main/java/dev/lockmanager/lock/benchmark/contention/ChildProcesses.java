package dev.lockmanager.lock.benchmark.contention;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one implementation as separate JVMs, one application instance each ({@link ContentionChild}), on the same
 * key, and merges what they recorded. Every child is ended before {@link #run} returns, whatever happens (SIGKILL
 * if need be); a shutdown hook ends any still alive if this JVM is stopped, and a child whose parent died halts by
 * itself when its stdin closes.
 */
final class ChildProcesses {

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

	/** Beyond the window: a waiter may finish its acquisition, then the child writes its records and closes. */
	private static final Duration EXIT_GRACE = SliceRunner.WAIT_TIME.multipliedBy(2).plusSeconds(60);

	private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
				"contention-children-shutdown"));
	}

	private ChildProcesses() {
	}

	/**
	 * Starts {@code processes} children with {@code threads} threads each, waits until all are connected, gives them
	 * one common window ({@code warmupNanos} of warm-up, then {@code measureNanos} measured) and merges their records.
	 */
	static SliceLog run(Implementation implementation, String host, int port, int processes, int threads,
			long sectionNanos, long warmupNanos, long measureNanos, List<String> jvmArgs) throws Exception {
		Path directory = Files.createTempDirectory("contention-" + implementation.id);
		List<Child> children = new ArrayList<>();
		try {
			for (int instance = 0; instance < processes; instance++) {
				List<String> command = new ArrayList<>();
				command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
				command.addAll(jvmArgs);
				command.addAll(List.of("-cp", System.getProperty("java.class.path"), ContentionChild.class.getName(),
						implementation.id, host, Integer.toString(port), Integer.toString(instance),
						Integer.toString(threads), Long.toString(sectionNanos),
						directory.resolve(instance + ".bin").toString()));
				children.add(new Child(implementation.id + "#" + instance, command));
			}
			long readyDeadline = System.nanoTime() + READY_TIMEOUT.toNanos();
			for (Child child : children) {
				child.awaitReady(readyDeadline);
			}
			long from = System.nanoTime() + warmupNanos;
			long to = from + measureNanos;
			for (Child child : children) {
				child.send("go " + from + " " + to);
			}
			long exitDeadline = to + EXIT_GRACE.toNanos();
			List<SliceLog> slices = new ArrayList<>();
			for (int instance = 0; instance < processes; instance++) {
				children.get(instance).awaitExit(exitDeadline);
				slices.add(SliceLog.readFrom(directory.resolve(instance + ".bin")));
			}
			return SliceLog.merge(slices);
		}
		finally {
			children.forEach(Child::destroy);
			for (int instance = 0; instance < processes; instance++) {
				Files.deleteIfExists(directory.resolve(instance + ".bin"));
			}
			Files.deleteIfExists(directory);
		}
	}

	/** One child process, its stdin held open, its output echoed to stderr except the protocol line. */
	private static final class Child {

		private final String name;

		private final Process process;

		private final Writer stdin;

		private final CountDownLatch ready = new CountDownLatch(1);

		Child(String name, List<String> command) throws IOException {
			this.name = name;
			this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
			LIVE.add(this.process);
			this.stdin = new OutputStreamWriter(this.process.getOutputStream(), UTF_8);
			Thread reader = new Thread(this::readOutput, "contention-child-output-" + name);
			reader.setDaemon(true);
			reader.start();
		}

		private void readOutput() {
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), UTF_8))) {
				for (String line = out.readLine(); line != null; line = out.readLine()) {
					if (line.equals(ContentionChild.READY)) {
						this.ready.countDown();
					}
					else {
						System.err.println("[" + this.name + "] " + line);
					}
				}
			}
			catch (IOException ex) {
				// the process is gone; its exit code tells the rest
			}
		}

		void awaitReady(long deadline) throws InterruptedException {
			while (!this.ready.await(100, TimeUnit.MILLISECONDS)) {
				if (!this.process.isAlive()) {
					throw new IllegalStateException("Child " + this.name + " exited with " + this.process.exitValue()
							+ " before it was ready (its output is above, on stderr)");
				}
				if (System.nanoTime() - deadline > 0) {
					throw new IllegalStateException("Child " + this.name + " was not ready within "
							+ READY_TIMEOUT.toSeconds() + "s");
				}
			}
		}

		void send(String line) throws IOException {
			this.stdin.write(line + "\n");
			this.stdin.flush();
		}

		void awaitExit(long deadline) throws InterruptedException {
			long millis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
			if (!this.process.waitFor(millis, TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("Child " + this.name + " did not finish within "
						+ EXIT_GRACE.toSeconds() + "s of the window's end");
			}
			if (this.process.exitValue() != 0) {
				throw new IllegalStateException("Child " + this.name + " failed with exit code "
						+ this.process.exitValue() + " (its output is above, on stderr)");
			}
		}

		void destroy() {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			LIVE.remove(this.process);
			try {
				this.stdin.close();
			}
			catch (IOException ex) {
				// the pipe closes with the process anyway
			}
		}

	}

}
