package dev.lockmanager.lock.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;

/**
 * A real {@code redis-server} process on a free loopback port, with fault operations for tests.
 *
 * <p>The binary comes from the {@code REDIS_SERVER} environment variable (the executable itself, not a wrapper
 * script), else {@code redis-server} on the {@code PATH}, else the one bundled in
 * {@code com.github.codemonstur:embedded-redis}. Each server persists nothing and owns a temporary directory holding
 * its config file, data and output log ({@code redis.log}); {@link #close()} deletes it. A server never outlives the
 * JVM: {@link #close()}, a shutdown hook and, should the JVM be SIGKILLed, a watchdog process stop it.
 *
 * <pre>{@code
 * try (RedisServer redis = new RedisServer()) {
 *     redis.start();
 *     connectTo(redis.uri());
 * }
 * }</pre>
 *
 * <p>In JUnit tests, use {@link RedisServerExtension}. Requires a POSIX system ({@code /bin/sh}).
 */
public final class RedisServer implements AutoCloseable {

	private static final String HOST = "127.0.0.1";

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

	private static final int PORT_ATTEMPTS = 5;

	private static final Set<RedisServer> OPEN = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(RedisServer::closeAllOpen, "redis-server-shutdown"));
	}

	private final List<String> arguments;

	/** The certificates of a server that listens with TLS only, or {@code null}. */
	private final TlsCertificates tls;

	private final SocketFactory sockets;

	private ServerDirectory directory;

	private int port;

	private Process process;

	private Watchdog watchdog;

	private boolean paused;

	/**
	 * Creates a server that is not started yet.
	 * @param arguments appended to the command line after the defaults, which they override: any config directive as
	 * {@code "--name", "value"...}, e.g. {@code "--cluster-enabled", "yes"} or {@code "--sentinel"}
	 */
	public RedisServer(String... arguments) {
		this(null, arguments);
	}

	private RedisServer(TlsCertificates tls, String... arguments) {
		this.arguments = List.of(arguments);
		this.tls = tls;
		this.sockets = (tls != null) ? tls.clientContext().getSocketFactory() : SocketFactory.getDefault();
	}

	/**
	 * Creates a server, not started yet, that listens with TLS only (no plain-text port) and does not ask clients for
	 * a certificate; {@code "--tls-auth-clients", "yes"} makes it require one signed by the certificates' authority.
	 * The harness's own connections ({@link #execute(String...)}) present the client certificate.
	 * @param certificates the server's certificate and key, and the authority it trusts
	 * @param arguments as for {@link #RedisServer(String...)}
	 * @return the server
	 * @see #supportsTls()
	 */
	public static RedisServer withTls(TlsCertificates certificates, String... arguments) {
		return new RedisServer(certificates, arguments);
	}

	/**
	 * Returns whether the {@code redis-server} binary was built with TLS: one built without refuses the
	 * {@code tls-port} directive.
	 * @return whether {@link #withTls(TlsCertificates, String...)} servers can start
	 */
	public static boolean supportsTls() {
		return RedisBinary.supportsTls();
	}

	/**
	 * Starts the server and waits until it answers {@code PING}. The first start picks a free port; later starts reuse
	 * it, so clients can reconnect.
	 * @throws IllegalStateException if it is already running or did not come up within 10 seconds
	 */
	public synchronized void start() {
		if (isRunning()) {
			throw new IllegalStateException(this + " is already running");
		}
		OPEN.add(this);
		if (this.directory == null) {
			this.directory = ServerDirectory.create();
		}
		if (this.port != 0) {
			if (!launch(this.port)) {
				throw new IllegalStateException(
						"Cannot start redis-server again: port " + this.port + " is now taken by another process");
			}
			return;
		}
		// Another process may grab the free port before redis-server binds it
		for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
			int candidate = freePort();
			if (launch(candidate)) {
				this.port = candidate;
				return;
			}
		}
		throw new IllegalStateException("redis-server found no free port in " + PORT_ATTEMPTS
				+ " attempts; its output:\n" + this.directory.tail(0));
	}

	/**
	 * Stops the server: SIGTERM, then SIGKILL if it has not exited after 5 seconds. Does nothing if it is stopped.
	 */
	public synchronized void stop() {
		if (this.process == null) {
			return;
		}
		resume(); // a stopped process cannot act on SIGTERM
		this.process.destroy();
		if (!awaitExit(this.process)) {
			this.process.destroyForcibly();
			awaitExit(this.process);
		}
		this.watchdog.close();
		this.process = null;
		this.watchdog = null;
	}

	/**
	 * Kills the process with SIGKILL, like a crash: Redis gets no chance to act on it, so it neither hands over to a
	 * replica nor closes its client connections gracefully (the kernel resets them). {@link #start()} brings it back on
	 * the same port. Unlike {@link #pause()}, nothing is left running: the process is reaped and its watchdog ended.
	 * @throws IllegalStateException if it is not running
	 */
	public synchronized void kill() {
		requireRunning();
		// SIGKILL on POSIX; it ends a paused (SIGSTOPped) process too
		this.process.destroyForcibly();
		if (!awaitExit(this.process)) {
			throw new IllegalStateException(this + " did not exit within " + STOP_TIMEOUT.toSeconds() + "s of SIGKILL");
		}
		this.watchdog.close();
		this.process = null;
		this.watchdog = null;
		this.paused = false;
	}

	/**
	 * Stops then starts the server on the same port.
	 */
	public synchronized void restart() {
		stop();
		start();
	}

	/**
	 * Freezes the process (SIGSTOP): the kernel still accepts connections but nothing is answered, like a server stuck
	 * in a long pause or behind a network partition.
	 */
	public synchronized void pause() {
		requireRunning();
		if (!this.paused) {
			signal("STOP");
			this.paused = true;
		}
	}

	/**
	 * Unfreezes a {@linkplain #pause() paused} process (SIGCONT). Does nothing if it is not paused.
	 */
	public synchronized void resume() {
		if (this.paused && this.process.isAlive()) {
			signal("CONT");
		}
		this.paused = false;
	}

	/**
	 * Stops the server and deletes its directory.
	 */
	@Override
	public synchronized void close() {
		stop();
		OPEN.remove(this);
		if (this.directory != null) {
			this.directory.delete();
			this.directory = null;
		}
	}

	/**
	 * Returns the port, fixed by the first {@link #start()}.
	 * @return the port
	 */
	public synchronized int port() {
		if (this.port == 0) {
			throw new IllegalStateException("redis-server has not been started yet");
		}
		return this.port;
	}

	/**
	 * Returns the loopback address the server binds to.
	 * @return {@code 127.0.0.1}
	 */
	public String host() {
		return HOST;
	}

	/**
	 * Returns the URI clients connect to.
	 * @return {@code redis://127.0.0.1:<port>}, or {@code rediss://} for a server that listens with TLS
	 */
	public String uri() {
		return ((this.tls != null) ? "rediss://" : "redis://") + HOST + ":" + port();
	}

	/**
	 * Returns whether the process is alive, paused or not.
	 * @return whether the process is alive
	 */
	public synchronized boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/**
	 * Returns the process id of the running server.
	 * @return the process id
	 */
	public synchronized long pid() {
		requireRunning();
		return this.process.pid();
	}

	/**
	 * Sends one command on a new connection and returns the reply, waiting at most 30 seconds.
	 * @param command the command and its arguments
	 * @return the reply
	 * @see #execute(Duration, String...)
	 */
	public Object execute(String... command) {
		return execute(COMMAND_TIMEOUT, command);
	}

	/**
	 * Sends one command, e.g. {@code execute(timeout, "DEBUG", "SLEEP", "2")}, on a new connection and returns the
	 * reply.
	 * @param timeout bounds connecting and waiting for the reply
	 * @param command the command and its arguments
	 * @return a {@code String} for simple and bulk strings, a {@code Long} for integers, a {@code List<Object>} for
	 * arrays and {@code null} for nil
	 * @throws IllegalStateException if Redis replies with an error
	 * @throws UncheckedIOException if the server cannot be reached or does not reply in time
	 */
	public Object execute(Duration timeout, String... command) {
		return Resp.execute(this.sockets, HOST, port(), timeout, command);
	}

	/**
	 * Returns the major version of the running server, such as 7.
	 * @return the first number of {@code redis_version}
	 */
	public int majorVersion() {
		String info = String.valueOf(execute("INFO", "server"));
		int start = info.indexOf("redis_version:") + "redis_version:".length();
		return Integer.parseInt(info.substring(start, info.indexOf('.', start)));
	}

	/**
	 * How many times the server ran a command since it started, scripts' calls included ({@code INFO commandstats}).
	 * @param command the command's name in lower case, e.g. {@code publish}
	 * @return its calls, 0 when it never ran
	 */
	public long commandCalls(String command) {
		String prefix = "cmdstat_" + command + ":calls=";
		for (String line : String.valueOf(execute("INFO", "commandstats")).split("\r?\n")) {
			if (line.startsWith(prefix)) {
				return Long.parseLong(line.substring(prefix.length(), line.indexOf(',')));
			}
		}
		return 0;
	}

	@Override
	public synchronized String toString() {
		return "redis-server " + HOST + ":" + this.port
				+ (isRunning() ? " (pid " + this.process.pid() + ")" : " (stopped)");
	}

	/**
	 * Brings the server back into service after a test left it paused or stopped.
	 */
	synchronized void revive() {
		if (isRunning()) {
			resume();
		}
		else {
			restart();
		}
	}

	/**
	 * Returns everything the server wrote to its log, across restarts.
	 */
	synchronized String output() {
		return (this.directory != null) ? this.directory.output(0) : "";
	}

	synchronized long watchdogPid() {
		requireRunning();
		return this.watchdog.pid();
	}

	/**
	 * Returns false if the port was taken; throws on any other startup failure.
	 */
	private boolean launch(int onPort) {
		long logStart = this.directory.log().length(); // restarts append to the same log
		List<String> command = new ArrayList<>(List.of(RedisBinary.path().toString(),
				this.directory.configFile().toString(), "--port", String.valueOf(onPort), "--bind", HOST, "--save", "",
				"--appendonly", "no", "--dir", this.directory.path().toString(), "--protected-mode", "no"));
		if (this.tls != null) {
			command.addAll(List.of("--port", "0", "--tls-port", String.valueOf(onPort), "--tls-cert-file",
					this.tls.serverCertificate().toString(), "--tls-key-file", this.tls.serverKey().toString(),
					"--tls-ca-cert-file", this.tls.authority().toString(), "--tls-auth-clients", "no"));
		}
		command.addAll(this.arguments);
		Process started;
		try {
			started = new ProcessBuilder(command).directory(this.directory.path().toFile())
				.redirectErrorStream(true)
				.redirectOutput(Redirect.appendTo(this.directory.log()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + command.get(0), ex);
		}
		Watchdog guard = null;
		try {
			guard = Watchdog.guard(started.pid());
			if (!awaitReady(started, onPort, logStart)) {
				guard.close();
				return false;
			}
			this.process = started;
			this.watchdog = guard;
			return true;
		}
		catch (RuntimeException ex) {
			started.destroyForcibly();
			awaitExit(started);
			if (guard != null) {
				guard.close();
			}
			throw ex;
		}
	}

	/**
	 * Returns true once the server answers, false if it exited because the port was taken.
	 */
	private boolean awaitReady(Process started, int onPort, long logStart) {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!started.isAlive()) {
				if (this.directory.output(logStart).contains("Address already in use")) {
					return false;
				}
				throw new IllegalStateException("redis-server exited with code " + started.exitValue()
						+ " while starting on port " + onPort + "; its output:\n" + this.directory.tail(logStart));
			}
			if (answersAs(started.pid(), onPort)) {
				return true;
			}
			sleep(50);
		}
		throw new IllegalStateException("redis-server did not answer PING on port " + onPort + " within "
				+ STARTUP_TIMEOUT.toSeconds() + "s; its output:\n" + this.directory.tail(logStart));
	}

	/**
	 * Checks the process id too: when our server failed to bind, another one may be answering on its port.
	 */
	private boolean answersAs(long pid, int onPort) {
		try {
			return "PONG".equals(Resp.execute(this.sockets, HOST, onPort, PROBE_TIMEOUT, "PING"))
					&& String.valueOf(Resp.execute(this.sockets, HOST, onPort, PROBE_TIMEOUT, "INFO", "server"))
						.contains("process_id:" + pid + "\r\n");
		}
		catch (UncheckedIOException | IllegalStateException notReady) {
			return false;
		}
	}

	private void signal(String signal) {
		long pid = this.process.pid();
		try {
			// Process cannot send SIGSTOP/SIGCONT; the shell's kill builtin is always there
			Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -" + signal + " " + pid).redirectErrorStream(true)
				.start();
			String output = new String(kill.getInputStream().readAllBytes(), UTF_8);
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output);
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

	private void requireRunning() {
		if (!isRunning()) {
			throw new IllegalStateException(this + " is not running");
		}
	}

	private static void closeAllOpen() {
		for (RedisServer server : List.copyOf(OPEN)) {
			try {
				server.close();
			}
			catch (RuntimeException ex) {
				// Keep going: every other server must still be stopped before the JVM is gone
				ex.printStackTrace();
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

	private static boolean awaitExit(Process process) {
		try {
			return process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for redis-server to start", ex);
		}
	}

}
