package dev.lockmanager.lock.benchmark.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from the binaries of Debian's {@code postgresql} package: made by initdb in a
 * temporary directory (data, Unix socket, log), listening on a free port of 127.0.0.1 only, trusting every local
 * connection as user {@code postgres}, and without fsync, synchronous commit or full-page writes, so that the disk
 * stays out of the orders/s. PostgreSQL refuses to run as root: as root, its programs run as the {@code postgres} OS
 * user, which owns the directory.
 *
 * <p>{@link #close()} stops the server at once (immediate shutdown: the data is thrown away) and deletes the
 * directory; a shutdown hook does the same if the JVM exits first. A SIGKILLed JVM leaves the server running.
 */
final class PostgresCluster implements SampleDatabase {

	private static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");

	private static final String USER = "postgres";

	private static final String HOST = "127.0.0.1";

	private static final String DATABASE = "orders";

	/** Both instances' Hikari pools (10 connections each by default) and psql, with room to spare. */
	private static final int MAX_CONNECTIONS = 50;

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

	private final Path binaries;

	private final Path directory;

	private final boolean asPostgresUser = "root".equals(System.getProperty("user.name"));

	private final ReentrantLock stopping = new ReentrantLock();

	private final Thread shutdownHook = new Thread(this::close, "postgres-shutdown");

	private String version = "PostgreSQL";

	private int port;

	private long postmasterPid;

	private boolean stopped;

	private PostgresCluster(Path binaries, Path directory) {
		this.binaries = binaries;
		this.directory = directory;
	}

	/**
	 * @return the bin directory of the highest PostgreSQL version under {@code /usr/lib/postgresql} that has initdb,
	 * pg_ctl, postgres and psql; empty if there is none
	 */
	static Optional<Path> findBinaries() {
		try (Stream<Path> versions = Files.list(DEBIAN_VERSIONS)) {
			return versions.filter(version -> version.getFileName().toString().matches("\\d+(\\.\\d+)?"))
				.filter(version -> Stream.of("initdb", "pg_ctl", "postgres", "psql")
					.allMatch(program -> Files.isExecutable(version.resolve("bin").resolve(program))))
				.max(Comparator.comparingDouble(version -> Double.parseDouble(version.getFileName().toString())))
				.map(version -> version.resolve("bin"));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/** Makes the cluster and starts its server; stops it again if that fails half-way. */
	static PostgresCluster start(Path binaries) throws IOException, InterruptedException {
		PostgresCluster cluster = new PostgresCluster(binaries, Files.createTempDirectory("sample-postgres-"));
		Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
		try {
			cluster.initAndStart();
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			cluster.close();
			throw ex;
		}
		return cluster;
	}

	private void initAndStart() throws IOException, InterruptedException {
		if (this.asPostgresUser) {
			try {
				Files.setOwner(this.directory,
						this.directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER));
			}
			catch (UserPrincipalNotFoundException ex) {
				throw new IllegalStateException("Running as root, but there is no '" + USER + "' OS user to run"
						+ " PostgreSQL as (apt-get install postgresql creates it); or run with"
						+ " -Dbench.sample.database=h2");
			}
		}
		this.version = run("postgres", "--version").trim();
		run("initdb", "-D", data().toString(), "-A", "trust", "-U", USER, "-E", "UTF8", "--locale=C", "--no-sync");
		// A port free now; should another process take it first, the start fails with the log saying so.
		this.port = SampleInstances.freePort();
		String options = String.join(" ", "-p", String.valueOf(this.port), "-k", this.directory.toString(),
				"-c listen_addresses=" + HOST, "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
				"-c max_connections=" + MAX_CONNECTIONS);
		run("pg_ctl", "-D", data().toString(), "-l", log().toString(), "-o", options, "-w", "-t",
				String.valueOf(COMMAND_TIMEOUT.toSeconds()), "start");
		this.postmasterPid = Long.parseLong(Files.readAllLines(data().resolve("postmaster.pid")).get(0).trim());
	}

	/** Drops the previous run's database and creates an empty one in its place. */
	@Override
	public List<String> fresh(Path runDirectory) throws IOException, InterruptedException {
		// FORCE: a connection left over from the previous run must not keep its database, and its stock, alive.
		run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", String.valueOf(this.port), "-U", USER,
				"-d", "postgres", "-c", "DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)", "-c",
				"CREATE DATABASE " + DATABASE);
		return List.of("--spring.datasource.url=jdbc:postgresql://" + HOST + ":" + this.port + "/" + DATABASE,
				"--spring.datasource.username=" + USER, "--spring.datasource.password=");
	}

	@Override
	public double cpuSeconds() {
		return ProcessCpu.serverSeconds(this.postmasterPid);
	}

	@Override
	public String description() {
		return String.format(Locale.ROOT, "%s (%s), a throwaway cluster on %s:%d (fsync, synchronous_commit and"
				+ " full_page_writes off, max_connections %d), a fresh database per run that every instance reaches"
				+ " over TCP alike",
				this.version, this.binaries, HOST, this.port, MAX_CONNECTIONS);
	}

	@Override
	public void close() {
		this.stopping.lock();
		try {
			if (!this.stopped) {
				this.stopped = true;
				stopServer();
				SampleLoadBenchmark.delete(this.directory);
			}
		}
		catch (IOException ex) {
			System.err.println("Could not delete " + this.directory + ": " + ex);
		}
		finally {
			this.stopping.unlock();
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is shutting down: this is the hook running.
		}
	}

	private void stopServer() {
		if (!Files.exists(data().resolve("postmaster.pid"))) {
			return;
		}
		try {
			run("pg_ctl", "-D", data().toString(), "-m", "immediate", "-w", "stop");
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			System.err.println("pg_ctl stop failed, killing the server: " + ex);
			ProcessHandle.of(this.postmasterPid).ifPresent(ProcessHandle::destroyForcibly);
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Runs one PostgreSQL program to its end, as the postgres user when this JVM is root, in the cluster's directory
	 * (the postgres user may not enter this JVM's). Its output goes to a file: through a pipe, the server that pg_ctl
	 * starts would inherit the pipe and hold it open.
	 * @return the program's output
	 * @throws IllegalStateException if it failed, with its output and the end of the server's log
	 */
	private String run(String program, String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		if (this.asPostgresUser) {
			command.addAll(List.of("runuser", "-u", USER, "--"));
		}
		command.add(this.binaries.resolve(program).toString());
		command.addAll(List.of(arguments));
		Path output = this.directory.resolve(program + ".out");
		Process process = new ProcessBuilder(command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		if (!process.waitFor(COMMAND_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException(String.join(" ", command) + " did not finish in time");
		}
		String text = Files.readString(output, StandardCharsets.UTF_8);
		if (process.exitValue() != 0) {
			throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ":\n"
					+ text + (Files.exists(log()) ? "\nserver log:\n" + SampleInstances.tail(log()) : ""));
		}
		return text;
	}

	private Path data() {
		return this.directory.resolve("data");
	}

	private Path log() {
		return this.directory.resolve("postgres.log");
	}

}
