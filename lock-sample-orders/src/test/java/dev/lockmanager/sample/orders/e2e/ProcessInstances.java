package dev.lockmanager.sample.orders.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * Instances of the sample as separate JVMs running its executable jar ({@code java -jar}), each logging to its own
 * file. They share the H2 file database the way separate local instances do: the first serves it to the others.
 * Closing sends SIGTERM (graceful shutdown) and kills what is still alive after 30 seconds; a shutdown hook does the
 * same if the test JVM exits before closing.
 */
final class ProcessInstances implements OrderServiceInstances {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	private final List<Process> processes = new ArrayList<>();

	private final List<URI> uris = new ArrayList<>();

	private final Thread shutdownHook = new Thread(this::close, "order-service-processes-shutdown");

	private ProcessInstances() {
	}

	/**
	 * @return the jar that {@code package} builds, relative to the module directory (where Surefire runs the tests)
	 */
	static Path jar() {
		return Path.of(System.getProperty("basedir", ".")).resolve("target/lock-sample-orders.jar");
	}

	/**
	 * @return the compiled classes the jar should contain; a jar older than them would test stale code
	 */
	static Path classes() {
		return Path.of(System.getProperty("basedir", ".")).resolve("target/classes");
	}

	/**
	 * Starts the instances one after the other, each once the previous one is ready: the first must have opened (and
	 * so be serving) the database before the next connects to it.
	 */
	static ProcessInstances start(int count, SharedDatabase database, RedisServer redis, Path logs) {
		ProcessInstances instances = new ProcessInstances();
		Runtime.getRuntime().addShutdownHook(instances.shutdownHook);
		try {
			for (int i = 0; i < count; i++) {
				instances.launch("orders-process-" + (i + 1), database, redis, logs);
			}
		}
		catch (RuntimeException ex) {
			instances.close();
			throw ex;
		}
		return instances;
	}

	private void launch(String name, SharedDatabase database, RedisServer redis, Path logs) {
		int port = freePort();
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-jar", jar().toAbsolutePath().toString()));
		command.addAll(OrderServiceInstances.arguments(name, database, redis, port));
		Path log = logs.resolve(name + ".log");
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + command, ex);
		}
		this.processes.add(process);
		URI uri = URI.create("http://127.0.0.1:" + port);
		OrderServiceClient client = new OrderServiceClient();
		try {
			await().atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
				if (!process.isAlive()) {
					throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(log));
				}
				return client.answers(uri.resolve("/actuator/health/readiness"));
			});
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException(name + " did not become ready; its log:\n" + tail(log), ex);
		}
		this.uris.add(uri);
	}

	@Override
	public List<URI> uris() {
		return List.copyOf(this.uris);
	}

	@Override
	public synchronized void close() {
		this.processes.forEach(Process::destroy);
		for (Process process : this.processes) {
			try {
				if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
					process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
				}
			}
			catch (InterruptedException ex) {
				process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
		this.processes.clear();
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// the JVM is shutting down: this is the hook running
		}
	}

	/**
	 * A port free now; another process could take it before the instance binds it, which fails its startup visibly.
	 */
	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

}
