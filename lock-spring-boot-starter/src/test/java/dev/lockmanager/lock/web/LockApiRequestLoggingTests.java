package dev.lockmanager.lock.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The loggers outside the starter that the README tells to keep quiet, because they do show a lease's token and the
 * API key: Spring MVC with {@code spring.mvc.log-request-details=true}, Tomcat's connector ({@code org.apache.coyote})
 * and Lettuce, each at TRACE. Tomcat's access log with its default pattern shows neither.
 */
@SpringBootTest(classes = ApiKeyApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "distributed-lock.http.enabled=true", "distributed-lock.http.api-key=" + ApiKeyApplication.API_KEY,
				"spring.data.redis.host=127.0.0.1", "spring.mvc.log-request-details=true",
				"server.tomcat.accesslog.enabled=true", "server.tomcat.accesslog.buffered=false" })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class LockApiRequestLoggingTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private static final Path accessLogs = temporaryDirectory();

	private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());

	@LocalServerPort
	int port;

	@Autowired
	LettuceConnectionFactory connectionFactory;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		int redisPort = redis.server().port();
		registry.add("spring.data.redis.port", () -> redisPort);
		registry.add("server.tomcat.accesslog.directory", accessLogs::toString);
	}

	@AfterEach
	void quietLoggers() {
		for (String logger : new String[] { "org.springframework.web", "org.apache.coyote", "io.lettuce.core" }) {
			this.logging.setLogLevel(logger, null);
		}
	}

	@Test
	void springMvcWithRequestDetailsLogsTheTokenAndKeyAtTraceButNotAtDebug(CapturedOutput output) {
		this.logging.setLogLevel("org.springframework.web", LogLevel.DEBUG);
		String quiet = holdAndRenew();
		this.logging.setLogLevel("org.springframework.web", LogLevel.TRACE);
		String logged = holdAndRenew();
		assertThat(output.getAll()).doesNotContain(quiet).contains(logged).contains(ApiKeyApplication.API_KEY);
	}

	/**
	 * Tomcat logs each raw request at its trace level (JUL {@code FINER}, which Spring Boot's bridge prints as
	 * {@code DEBUG}).
	 */
	@Test
	void tomcatsConnectorLogsTheTokenAndKeyAtTraceButNotAtDebug(CapturedOutput output) {
		this.logging.setLogLevel("org.apache.coyote", LogLevel.DEBUG);
		String quiet = holdAndRenew();
		assertThat(output.getAll()).doesNotContain(ApiKeyApplication.API_KEY);
		this.logging.setLogLevel("org.apache.coyote", LogLevel.TRACE);
		String logged = holdAndRenew();
		assertThat(output.getAll()).doesNotContain(quiet).contains(logged).contains(ApiKeyApplication.API_KEY);
	}

	/** Lettuce reads its level when it opens a connection: each level gets a new one. */
	@Test
	void lettuceLogsTheTokenAtTraceButNotAtDebug(CapturedOutput output) {
		this.logging.setLogLevel("io.lettuce.core", LogLevel.DEBUG);
		this.connectionFactory.resetConnection();
		String quiet = holdAndRenew();
		this.logging.setLogLevel("io.lettuce.core", LogLevel.TRACE);
		this.connectionFactory.resetConnection();
		String logged = holdAndRenew();
		assertThat(output.getAll()).doesNotContain(quiet).contains(logged);
	}

	@Test
	void tomcatsAccessLogWithItsDefaultPatternShowsNeither() {
		String token = holdAndRenew();
		String accessLog = accessLog();
		assertThat(accessLog).contains("PUT /locks/");
		assertThat(accessLog).doesNotContain(token).doesNotContain(ApiKeyApplication.API_KEY);
	}

	/**
	 * Acquires a lease and renews it, which sends its token in a header.
	 * @return the token
	 */
	private String holdAndRenew() {
		LockApiClient client = new LockApiClient(this.port);
		String path = "/locks/logged-" + UUID.randomUUID();
		String token = client.acquire(path, "10s", "0").token();
		assertThat(client.renew(path, token, "10s").status()).isEqualTo(200);
		return token;
	}

	private static String accessLog() {
		try (Stream<Path> files = Files.list(accessLogs)) {
			StringBuilder content = new StringBuilder();
			for (Path file : files.toList()) {
				content.append(Files.readString(file));
			}
			return content.toString();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path temporaryDirectory() {
		try {
			Path directory = Files.createTempDirectory("access-logs-");
			directory.toFile().deleteOnExit();
			return directory;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
