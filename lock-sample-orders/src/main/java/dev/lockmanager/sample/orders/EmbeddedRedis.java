package dev.lockmanager.sample.orders;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

import redis.embedded.RedisServer;

/**
 * Runs the sample on a machine with nothing installed: when nothing answers on the configured local Redis port, starts
 * the redis-server binary that embedded-redis ships (no persistence) and stops it with the application; when
 * something answers, joins it, so a second local instance shares the first one's Redis. Lettuce connects lazily, so
 * the server is up before the first command.
 * <p>
 * A server this instance started that exits (killed, crashed) is started again on the same port, empty: a
 * development default should not leave the service without locks until it restarts. One daemon thread, owned by
 * this bean, watches for the exit and restarts; {@link #destroy()} stops it before stopping the server.
 */
@Component
@ConditionalOnBooleanProperty(name = "orders.embedded-redis", matchIfMissing = true)
class EmbeddedRedis implements InitializingBean, DisposableBean {

	private static final Log logger = LogFactory.getLog(EmbeddedRedis.class);

	private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1");

	/** Pause before a failed restart is tried again. */
	private static final Duration RETRY_RESTART_AFTER = Duration.ofSeconds(1);

	private final String host;

	private final int port;

	private final ScheduledExecutorService restarts;

	private RedisServer server;

	/** The redis-server process this instance started, while it runs. */
	private volatile ProcessHandle process;

	private volatile boolean stopping;

	EmbeddedRedis(@Value("${spring.data.redis.host:localhost}") String host,
			@Value("${spring.data.redis.port:6379}") int port) {
		this.host = host;
		this.port = port;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("embedded-redis-");
		threads.setDaemon(true);
		this.restarts = Executors.newSingleThreadScheduledExecutor(threads);
	}

	@Override
	public void afterPropertiesSet() throws IOException {
		if (!LOCAL_HOSTS.contains(this.host)) {
			return;
		}
		if (answersPing()) {
			logger.info("Redis: joining the server already running on " + this.host + ":" + this.port);
			return;
		}
		RedisServer embedded = RedisServer.newRedisServer()
			.port(this.port)
			.bind("127.0.0.1")
			.setting("save \"\"")
			.setting("appendonly no")
			.build();
		try {
			this.process = start(embedded);
		}
		catch (IOException | RuntimeException ex) {
			// Another local instance may have started one on the same port at the same moment: join it.
			if (answersPingWithin(Duration.ofSeconds(5))) {
				logger.info("Redis: joining the server another instance just started on " + this.host + ":"
						+ this.port);
				return;
			}
			throw ex;
		}
		this.server = embedded;
		watch(this.process);
		logger.info("Redis: started the embedded redis-server on 127.0.0.1:" + this.port
				+ " (no persistence; it stops with this instance, and is started again, empty, if it exits before)");
	}

	/**
	 * Starts the server.
	 * @return its process: the child of this JVM that was not there before
	 */
	private static ProcessHandle start(RedisServer server) throws IOException {
		Set<Long> before = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
		server.start();
		return ProcessHandle.current()
			.children()
			.filter((child) -> !before.contains(child.pid()))
			.filter((child) -> child.info().command().orElse("").contains("redis-server"))
			.findFirst()
			.orElseThrow(() -> new IOException("Started redis-server but found no such child process"));
	}

	private void watch(ProcessHandle watched) {
		watched.onExit().thenRun(() -> {
			if (!this.stopping) {
				schedule(this::restart, Duration.ZERO);
			}
		});
	}

	private void restart() {
		logger.warn("Redis: the embedded redis-server on 127.0.0.1:" + this.port + " exited; starting it again, empty "
				+ "(no persistence): the leases held in it are gone");
		try {
			this.server.stop();
			this.process = start(this.server);
			watch(this.process);
			logger.info("Redis: started the embedded redis-server again on 127.0.0.1:" + this.port);
		}
		catch (IOException | RuntimeException ex) {
			if (answersPing()) {
				logger.warn("Redis: something else now answers on 127.0.0.1:" + this.port + "; using it");
				return;
			}
			logger.warn("Redis: could not start the embedded redis-server again (" + ex.getMessage() + "); trying "
					+ "again in " + RETRY_RESTART_AFTER.toSeconds() + "s");
			schedule(this::restart, RETRY_RESTART_AFTER);
		}
	}

	private void schedule(Runnable task, Duration delay) {
		try {
			this.restarts.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopping: the server goes down with this instance
		}
	}

	/**
	 * @return the process of the server this instance started, or {@code null} when it joined another
	 */
	ProcessHandle process() {
		return (this.server != null) ? this.process : null;
	}

	private boolean answersPingWithin(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (answersPing()) {
				return true;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException interrupted) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return false;
	}

	@Override
	public void destroy() throws IOException {
		this.stopping = true;
		this.restarts.shutdownNow();
		if (this.server != null) {
			this.server.stop();
		}
	}

	private boolean answersPing() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(this.host, this.port), 500);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[5];
			return in.readNBytes(reply, 0, 5) == 5 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

}
