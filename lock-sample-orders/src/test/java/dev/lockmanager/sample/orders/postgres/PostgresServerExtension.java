package dev.lockmanager.sample.orders.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension running a throwaway PostgreSQL server for a test class, from the binaries of Debian's
 * {@code postgresql} package; the class is skipped when none are installed.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresServerExtension postgres = new PostgresServerExtension();
 *
 * connectTo(postgres.jdbcUrl());
 * }</pre>
 *
 * <p>Binaries: the directory in {@code $PG_BIN}, else the highest version under {@code /usr/lib/postgresql/<v>/bin},
 * else {@code initdb} and {@code pg_ctl} on the {@code PATH}. The cluster lives in a temporary directory (data, Unix
 * socket and log), listens on a free port of 127.0.0.1 only, trusts every local connection as user
 * {@code postgres}, and runs without fsync. PostgreSQL refuses to run as root, so as root it runs as the
 * {@code postgres} OS user. The server never outlives the JVM: {@code afterAll}, a shutdown hook and, should the JVM
 * be SIGKILLed, a watchdog process stop it.
 */
public final class PostgresServerExtension implements ExecutionCondition, BeforeAllCallback, AfterAllCallback {

	/** The superuser that initdb creates and every connection uses. */
	public static final String USER = "postgres";

	/** The database created for the tests. */
	public static final String DATABASE = "orders_test";

	private static final String HOST = "127.0.0.1";

	private static final int PORT_ATTEMPTS = 5;

	private static final int PG_CTL_TIMEOUT_SECONDS = 60;

	private static final Set<PostgresServerExtension> RUNNING = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> List.copyOf(RUNNING).forEach(PostgresServerExtension::shutDown),
					"postgres-shutdown"));
	}

	private Path binaries;

	private boolean asPostgresUser;

	private Path directory;

	private int port;

	private Process watchdog;

	/**
	 * @return the JDBC URL of the test database
	 */
	public String jdbcUrl() {
		requireRunning();
		return "jdbc:postgresql://" + HOST + ":" + this.port + "/" + DATABASE;
	}

	/**
	 * @return the port the server listens on
	 */
	public int port() {
		requireRunning();
		return this.port;
	}

	/**
	 * Skips the whole class, reported as skipped with the reason, when PostgreSQL cannot be run here. (Aborting in
	 * {@code beforeAll} would leave Surefire reporting no test at all.)
	 */
	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		String missing = missing();
		return (missing != null) ? ConditionEvaluationResult.disabled(missing)
				: ConditionEvaluationResult.enabled("PostgreSQL binaries in " + findBinaries().orElseThrow());
	}

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		String missing = missing();
		if (missing != null) {
			Assumptions.abort(missing);
		}
		this.binaries = findBinaries().orElseThrow();
		this.asPostgresUser = isRoot();
		try {
			start();
			createDatabase();
		}
		catch (Exception | Error ex) {
			shutDown();
			throw ex;
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		shutDown();
	}

	/**
	 * @return why PostgreSQL cannot be run here, or {@code null} when it can
	 */
	private static String missing() {
		return Availability.MISSING.orElse(null);
	}

	private static String whatIsMissing() {
		if (findBinaries().isEmpty()) {
			return "PostgreSQL is not installed (apt-get install postgresql)";
		}
		if (isRoot() && !run(false, "id", "-u", USER).ok()) {
			return "Running as root, but there is no '" + USER
					+ "' user to run PostgreSQL as (apt-get install postgresql creates it)";
		}
		return null;
	}

	private void start() throws IOException {
		this.directory = Files.createTempDirectory("postgres-");
		if (this.asPostgresUser) {
			chownToPostgres(this.directory);
		}
		Path data = this.directory.resolve("data");
		Result initdb = run(this.asPostgresUser, pg("initdb"), "-D", data.toString(), "-A", "trust", "-U", USER,
				"-E", "UTF8", "--locale=C", "--no-sync");
		if (!initdb.ok()) {
			throw new IllegalStateException("initdb failed:\n" + initdb.output());
		}
		RUNNING.add(this);
		for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
			int candidate = freePort();
			Result started = run(this.asPostgresUser, pg("pg_ctl"), "-D", data.toString(), "-l",
					log().toString(), "-o",
					"-p " + candidate + " -k " + this.directory + " -c listen_addresses=" + HOST + " -c fsync=off",
					"-w", "-t", String.valueOf(PG_CTL_TIMEOUT_SECONDS), "start");
			if (started.ok()) {
				this.port = candidate;
				this.watchdog = watch(postmasterPid(data));
				return;
			}
			// Another process may have taken the port in between; anything else is fatal
			if (!logText().contains("could not bind") && !logText().contains("already in use")) {
				throw new IllegalStateException("pg_ctl start failed:\n" + started.output() + "\n" + logText());
			}
			run(this.asPostgresUser, pg("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop");
		}
		throw new IllegalStateException("PostgreSQL found no free port in " + PORT_ATTEMPTS + " attempts:\n"
				+ logText());
	}

	private void createDatabase() throws SQLException {
		String url = "jdbc:postgresql://" + HOST + ":" + this.port + "/postgres";
		try (Connection connection = DriverManager.getConnection(url, USER, "");
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + DATABASE);
		}
	}

	/**
	 * Stops the server at once (no checkpoint: the data is thrown away) and deletes its directory.
	 */
	private synchronized void shutDown() {
		try {
			if (this.directory != null && Files.exists(this.directory.resolve("data/postmaster.pid"))) {
				Result stopped = run(this.asPostgresUser, pg("pg_ctl"), "-D", this.directory.resolve("data").toString(),
						"-m", "immediate", "-w", "-t", String.valueOf(PG_CTL_TIMEOUT_SECONDS), "stop");
				if (!stopped.ok()) {
					System.err.println("pg_ctl stop failed:\n" + stopped.output());
				}
			}
		}
		finally {
			RUNNING.remove(this);
			if (this.watchdog != null) {
				this.watchdog.destroy();
				this.watchdog = null;
			}
			if (this.directory != null) {
				delete(this.directory);
				this.directory = null;
			}
			this.port = 0;
		}
	}

	/**
	 * A shell that kills the postmaster (SIGQUIT, its immediate shutdown, then SIGKILL) and deletes the directory
	 * once this JVM is gone without stopping it, e.g. SIGKILLed by a build timeout, when shutdown hooks do not run.
	 * It ends on its own when the server is gone.
	 */
	private Process watch(long postmasterPid) throws IOException {
		String script = "while kill -0 \"$1\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 1; done;"
				+ " if ! kill -0 \"$1\" 2>/dev/null; then kill -QUIT \"$2\" 2>/dev/null; sleep 3;"
				+ " kill -9 \"$2\" 2>/dev/null; rm -rf \"$3\"; fi";
		return new ProcessBuilder("/bin/sh", "-c", script, "postgres-watchdog",
				String.valueOf(ProcessHandle.current().pid()), String.valueOf(postmasterPid),
				this.directory.toString())
			.redirectOutput(Redirect.DISCARD)
			.redirectError(Redirect.DISCARD)
			.start();
	}

	private static long postmasterPid(Path data) throws IOException {
		return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), UTF_8).get(0).trim());
	}

	private Path log() {
		return this.directory.resolve("postgres.log");
	}

	private String logText() {
		try {
			return Files.exists(log()) ? Files.readString(log(), UTF_8) : "";
		}
		catch (IOException ex) {
			return "(could not read " + log() + ": " + ex + ")";
		}
	}

	private String pg(String program) {
		return this.binaries.resolve(program).toString();
	}

	private void requireRunning() {
		if (this.port == 0) {
			throw new IllegalStateException("PostgreSQL only runs from beforeAll to afterAll");
		}
	}

	/**
	 * {@code $PG_BIN}, else the highest {@code /usr/lib/postgresql/<version>/bin}, else the {@code PATH}.
	 */
	static Optional<Path> findBinaries() {
		String configured = System.getenv("PG_BIN");
		if (configured != null && !configured.isBlank()) {
			Path bin = Paths.get(configured);
			return hasBinaries(bin) ? Optional.of(bin) : Optional.empty();
		}
		Path debian = Paths.get("/usr/lib/postgresql");
		if (Files.isDirectory(debian)) {
			try (Stream<Path> versions = Files.list(debian)) {
				Optional<Path> highest = versions
					.filter((dir) -> dir.getFileName().toString().matches("\\d+(\\.\\d+)?"))
					.sorted(Comparator.comparingDouble((Path dir) -> Double.parseDouble(dir.getFileName().toString()))
						.reversed())
					.map((dir) -> dir.resolve("bin"))
					.filter(PostgresServerExtension::hasBinaries)
					.findFirst();
				if (highest.isPresent()) {
					return highest;
				}
			}
			catch (IOException ex) {
				// fall through to the PATH
			}
		}
		String path = System.getenv("PATH");
		if (path != null) {
			for (String entry : path.split(File.pathSeparator)) {
				if (!entry.isEmpty() && hasBinaries(Paths.get(entry))) {
					return Optional.of(Paths.get(entry));
				}
			}
		}
		return Optional.empty();
	}

	private static boolean onPath(String program) {
		String path = System.getenv("PATH");
		return path != null && Arrays.stream(path.split(File.pathSeparator))
			.anyMatch((entry) -> !entry.isEmpty() && Files.isExecutable(Paths.get(entry, program)));
	}

	private static boolean hasBinaries(Path bin) {
		return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"));
	}

	private static boolean isRoot() {
		if ("root".equals(System.getProperty("user.name"))) {
			return true;
		}
		Result id = run(false, "id", "-u");
		return id.ok() && id.output().trim().equals("0");
	}

	private static void chownToPostgres(Path directory) {
		Result chown = run(false, "chown", USER + ":", directory.toString());
		if (!chown.ok()) {
			throw new IllegalStateException("Could not give " + directory + " to " + USER + ":\n" + chown.output());
		}
	}

	/**
	 * Runs a command to its end, as the {@code postgres} user if asked; its output goes to a file, never to a pipe:
	 * pg_ctl's server would inherit the pipe and keep it open.
	 */
	private static Result run(boolean asPostgres, String... command) {
		List<String> full = new ArrayList<>();
		if (asPostgres && onPath("runuser")) {
			full.addAll(List.of("runuser", "-u", USER, "--"));
			full.addAll(Arrays.asList(command));
		}
		else if (asPostgres) {
			full.addAll(List.of("su", USER, "-s", "/bin/sh", "-c", Arrays.stream(command)
				.map((argument) -> "'" + argument.replace("'", "'\\''") + "'")
				.collect(Collectors.joining(" "))));
		}
		else {
			full.addAll(Arrays.asList(command));
		}
		Path output = null;
		try {
			output = Files.createTempFile("postgres-command-", ".log");
			Process process = new ProcessBuilder(full).redirectErrorStream(true)
				.redirectOutput(Redirect.to(output.toFile()))
				.redirectInput(Redirect.from(new File("/dev/null")))
				.start();
			if (!process.waitFor(PG_CTL_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return new Result(-1, String.join(" ", full) + " did not finish in time");
			}
			return new Result(process.exitValue(), Files.readString(output, UTF_8));
		}
		catch (IOException ex) {
			return new Result(-1, "Could not run " + String.join(" ", full) + ": " + ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Result(-1, "Interrupted while running " + String.join(" ", full));
		}
		finally {
			if (output != null) {
				try {
					Files.deleteIfExists(output);
				}
				catch (IOException ex) {
					// a temporary file left behind is harmless
				}
			}
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not find a free port", ex);
		}
	}

	private static void delete(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path file : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			System.err.println("Could not delete " + directory + ": " + ex);
		}
	}

	/**
	 * Looked up once: the condition is evaluated for the class and again for every test.
	 */
	private static final class Availability {

		static final Optional<String> MISSING = Optional.ofNullable(whatIsMissing());

	}

	private record Result(int exitCode, String output) {

		boolean ok() {
			return this.exitCode == 0;
		}

	}

}
