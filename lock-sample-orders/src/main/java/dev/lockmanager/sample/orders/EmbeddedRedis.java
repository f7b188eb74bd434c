package dev.lockmanager.sample.orders;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

import redis.embedded.RedisServer;

/**
 * Runs the sample on a machine with nothing installed: when nothing answers on the configured local Redis port, starts
 * the redis-server binary that embedded-redis ships (no persistence) and stops it with the application; when
 * something answers, joins it, so a second local instance shares the first one's Redis. Lettuce connects lazily, so
 * the server is up before the first command.
 */
@Component
@ConditionalOnBooleanProperty(name = "orders.embedded-redis", matchIfMissing = true)
class EmbeddedRedis implements InitializingBean, DisposableBean {

	private static final Log logger = LogFactory.getLog(EmbeddedRedis.class);

	private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1");

	private final String host;

	private final int port;

	private RedisServer server;

	EmbeddedRedis(@Value("${spring.data.redis.host:localhost}") String host,
			@Value("${spring.data.redis.port:6379}") int port) {
		this.host = host;
		this.port = port;
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
			embedded.start();
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
		logger.info("Redis: started the embedded redis-server on 127.0.0.1:" + this.port
				+ " (no persistence; it stops with this instance)");
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
