package dev.lockmanager.lock.benchmark.sample;

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
 * Instances of the sample run as separate JVMs from its executable jar, as the sample's own two-process tests run
 * them: each on a port of its own, all on one Redis and one database (see {@link SampleDatabase}). Each instance's log
 * and the script that seeds the benchmark's item live in a directory of the run.
 *
 * <p>Closing stops them newest first (with H2 the first serves the database, so it goes last): SIGTERM for a
 * graceful shutdown, SIGKILL for what is still alive 30 seconds later. A shutdown hook does the same if the
 * benchmark's JVM exits first, so no instance outlives it.
 */
final class SampleInstances implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	private final List<Process> processes = new ArrayList<>();

	private final List<URI> uris = new ArrayList<>();

	private final Thread shutdownHook = new Thread(this::close, "sample-instances-shutdown");

	private SampleInstances() {
	}

	/**
	 * Starts the instances one after the other, each once the previous one is ready: the first must have created the
	 * schema (and, with H2, be serving the database) before the next runs the same script.
	 * @param directory the run's own directory
	 * @param datasource the datasource arguments of a fresh database, so every run starts from the same stock
	 */
	static SampleInstances start(int count, SampleSettings settings, RedisServer redis, OrderApi api,
			Path directory, List<String> datasource) throws IOException, InterruptedException {
		Path seed = directory.resolve("seed-stock.sql");
		// Run by every instance at startup after the sample's schema.sql, hence idempotent like it; PostgreSQL's
		// ON CONFLICT, which H2 accepts in MODE=PostgreSQL.
		Files.writeString(seed, "INSERT INTO tb_inventory (item_name, quantity) VALUES ('" + api.item() + "', "
				+ settings.stock() + ") ON CONFLICT DO NOTHING;\n");
		List<String> common = new ArrayList<>(datasource);
		common.addAll(List.of("--spring.sql.init.data-locations=file:" + seed.toAbsolutePath(),
				"--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
				"--orders.embedded-redis=false", "--spring.jmx.enabled=false", "--spring.main.banner-mode=off"));
		SampleInstances instances = new SampleInstances();
		Runtime.getRuntime().addShutdownHook(instances.shutdownHook);
		try {
			for (int i = 1; i <= count; i++) {
				instances.launch("orders-" + i, settings, common, api, directory.resolve("orders-" + i + ".log"));
			}
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			instances.close();
			throw ex;
		}
		return instances;
	}

	List<URI> uris() {
		return List.copyOf(this.uris);
	}

	/**
	 * @return the instances' CPU seconds so far, summed
	 */
	double cpuSeconds() {
		return this.processes.stream().mapToDouble(process -> ProcessCpu.seconds(process.pid())).sum();
	}

	/**
	 * @return whether every instance is still running
	 */
	boolean allAlive() {
		return this.processes.stream().allMatch(Process::isAlive);
	}

	@Override
	public synchronized void close() {
		for (int i = this.processes.size() - 1; i >= 0; i--) {
			stop(this.processes.get(i));
		}
		this.processes.clear();
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is shutting down: this is the hook running.
		}
	}

	private void launch(String name, SampleSettings settings, List<String> common, OrderApi api, Path log)
			throws IOException, InterruptedException {
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(settings.instanceJvmArgs());
		command.addAll(List.of("-jar", settings.jar().toString(), "--server.port=" + port,
				"--spring.application.name=" + name));
		command.addAll(common);
		Process process = track(
				new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
		URI uri = URI.create("http://127.0.0.1:" + port);
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (!api.ready(uri)) {
			if (!process.isAlive()) {
				throw new IllegalStateException(name + " exited with " + process.exitValue() + "; its log:\n"
						+ tail(log));
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(name + " was not ready within " + STARTUP_TIMEOUT.toSeconds()
						+ "s; its log:\n" + tail(log));
			}
			Thread.sleep(250);
		}
		this.uris.add(uri);
	}

	/** Under the lock that {@link #close()} holds, so that the shutdown hook sees every process started. */
	private synchronized Process track(Process process) {
		this.processes.add(process);
		return process;
	}

	private static void stop(Process process) {
		process.destroy();
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

	/**
	 * A port free now; another process could take it before the server meant for it binds it, which fails that
	 * server's startup visibly.
	 */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The last 40 lines of a log, to show with an error. */
	static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

}
