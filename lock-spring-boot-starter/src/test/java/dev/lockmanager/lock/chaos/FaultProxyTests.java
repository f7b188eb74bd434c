package dev.lockmanager.lock.chaos;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The suite's {@link FaultProxy} in front of a real Redis: it forwards, cuts and delays.
 */
class FaultProxyTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private FaultProxy proxy;

	@AfterEach
	void closeProxy() {
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	@Test
	void forwardsCommandsAndReplies() throws IOException {
		this.proxy = FaultProxy.to(redis.server().port());
		try (Socket client = connect()) {
			assertThat(ping(client)).isEqualTo("+PONG");
		}
	}

	@Test
	void cutClosesConnectionsAndRefusesNewOnesUntilHealed() throws IOException {
		this.proxy = FaultProxy.to(redis.server().port());
		try (Socket before = connect()) {
			assertThat(ping(before)).isEqualTo("+PONG");

			this.proxy.cut();

			assertThat(ping(before)).isNull();
			try (Socket during = connect()) {
				assertThat(ping(during)).isNull();
			}
			this.proxy.heal();
			try (Socket after = connect()) {
				assertThat(ping(after)).isEqualTo("+PONG");
			}
		}
	}

	@Test
	void delayHoldsBackEachDirection() throws IOException {
		this.proxy = FaultProxy.to(redis.server().port());
		try (Socket client = connect()) {
			this.proxy.delay(Duration.ofMillis(300));
			long start = System.nanoTime();
			assertThat(ping(client)).isEqualTo("+PONG");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));

			this.proxy.heal();
			assertThat(ping(client)).isEqualTo("+PONG");
		}
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.proxy.port());
		socket.setSoTimeout(5000);
		return socket;
	}

	/**
	 * Sends an inline PING and returns the reply line, or null when the connection was closed.
	 */
	private static String ping(Socket socket) throws IOException {
		try {
			socket.getOutputStream().write("PING\r\n".getBytes(US_ASCII));
			InputStream in = socket.getInputStream();
			StringBuilder line = new StringBuilder();
			for (int b = in.read(); b != '\r'; b = in.read()) {
				if (b == -1) {
					return null;
				}
				line.append((char) b);
			}
			in.read(); // the '\n' ending the line
			return line.toString();
		}
		catch (SocketException closed) {
			return null;
		}
	}

}
