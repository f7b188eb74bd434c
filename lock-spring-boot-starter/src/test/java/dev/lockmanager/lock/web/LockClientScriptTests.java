package dev.lockmanager.lock.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * {@code examples/lock-client.sh}, the README's minimal client loop, against a running lock API on a real Redis
 * server: it holds the lock while its command runs (renewing a 1s lease for longer than a second), releases it
 * afterwards, gives up when the lock is held, and stops the command when the lease is lost. Skipped where
 * {@code bash} or {@code curl} is missing.
 */
@SpringBootTest(classes = ApiKeyApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "distributed-lock.http.enabled=true", "distributed-lock.http.api-key=" + ApiKeyApplication.API_KEY,
				"spring.data.redis.host=127.0.0.1", "spring.data.redis.timeout=1s" })
@DirtiesContext
class LockClientScriptTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	@LocalServerPort
	int port;

	@TempDir
	Path workDir;

	private LockApiClient api;

	private String name;

	@DynamicPropertySource
	static void redisPort(DynamicPropertyRegistry registry) {
		int redisPort = redis.server().port();
		registry.add("spring.data.redis.port", () -> redisPort);
	}

	@BeforeEach
	void requireBashAndCurl() {
		assumeThat(onPath("bash")).as("bash on the PATH").isTrue();
		assumeThat(onPath("curl")).as("curl on the PATH").isTrue();
		this.api = new LockApiClient(this.port);
		this.name = "report-" + UUID.randomUUID();
	}

	@Test
	void holdsTheLockWhileTheCommandRunsRenewingItAndReleasesItAfterwards() throws Exception {
		Process script = start(ApiKeyApplication.API_KEY, "--ttl", "1s", "--wait", "0", "--", "bash", "-c",
				"echo \"$LOCK_FENCING_TOKEN\" > fencing-token; sleep 4");
		await().atMost(Duration.ofSeconds(5)).until(this::held);
		long fencingToken = ((Number) this.api.inspect(lock()).json("$.fencingToken")).longValue();
		// Held for more than twice the 1s ttl: renewal works.
		await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(3)).until(this::held);
		assertThat(finish(script)).isZero();
		// Released, not expired: the last renewal was less than a ttl ago.
		assertThat(redis.server().execute("EXISTS", "lock:{" + this.name + ":%2A}")).isEqualTo(0L);
		assertThat(Files.readString(this.workDir.resolve("fencing-token")).strip()).isEqualTo(Long.toString(fencingToken));
		assertThat(output()).contains("acquired", "released");
	}

	@Test
	void givesUpWithStatus75WithoutRunningTheCommandWhenTheLockIsHeld() throws Exception {
		assertThat(this.api.acquire(lock(), "10s", "0").status()).isEqualTo(201);
		Process script = start(ApiKeyApplication.API_KEY, "--wait", "200ms", "--", "touch", "ran");
		assertThat(finish(script)).isEqualTo(75);
		assertThat(this.workDir.resolve("ran")).doesNotExist();
		assertThat(output()).contains("not acquired", "held by another client");
	}

	@Test
	void stopsTheCommandWithStatus70WhenTheLeaseIsLost() throws Exception {
		Process script = start(ApiKeyApplication.API_KEY, "--ttl", "1s", "--", "sleep", "30");
		await().atMost(Duration.ofSeconds(5)).until(this::held);
		redis.server().execute("DEL", "lock:{" + this.name + ":%2A}");
		assertThat(finish(script)).isEqualTo(70);
		assertThat(output()).contains("lease lost");
	}

	@Test
	void releasesTheLockWhenInterrupted() throws Exception {
		Process script = start(ApiKeyApplication.API_KEY, "--ttl", "10s", "--", "sleep", "30");
		await().atMost(Duration.ofSeconds(5)).until(this::held);
		script.destroy();
		finish(script);
		assertThat(redis.server().execute("EXISTS", "lock:{" + this.name + ":%2A}")).isEqualTo(0L);
		assertThat(output()).contains("released");
	}

	@Test
	void exitsWithTheCommandsStatusAndReleasesTheLock() throws Exception {
		Process script = start(ApiKeyApplication.API_KEY, "--key", "item 1*", "--", "bash", "-c", "exit 3");
		assertThat(finish(script)).isEqualTo(3);
		assertThat(output()).contains("released http://127.0.0.1:" + this.port + "/locks/" + this.name + "/item%201%2A");
		assertThat(redis.server().execute("EXISTS", "lock:{" + this.name + ":item%201%2A}")).isEqualTo(0L);
	}

	@Test
	void refusedApiKeyExitsWithStatus77() throws Exception {
		Process script = start("not-the-api-key-0000", "--", "touch", "ran");
		assertThat(finish(script)).isEqualTo(77);
		assertThat(this.workDir.resolve("ran")).doesNotExist();
	}

	private boolean held() {
		return this.api.inspect(lock()).<Boolean>json("$.held");
	}

	private String lock() {
		return "/locks/" + this.name;
	}

	private Process start(String apiKey, String... arguments) throws IOException {
		List<String> command = new ArrayList<>(List.of("bash", script().toString(), "--url",
				"http://127.0.0.1:" + this.port + "/locks", "--name", this.name));
		command.addAll(Arrays.asList(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.workDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(this.workDir.resolve("output.txt").toFile());
		builder.environment().keySet().removeIf((variable) -> variable.startsWith("LOCK_"));
		builder.environment().put("LOCK_API_KEY", apiKey);
		return builder.start();
	}

	private int finish(Process script) throws Exception {
		if (!script.waitFor(30, TimeUnit.SECONDS)) {
			script.destroyForcibly().waitFor();
			throw new AssertionError("lock-client.sh did not finish within 30s:\n" + output());
		}
		return script.exitValue();
	}

	private String output() throws IOException {
		return Files.readString(this.workDir.resolve("output.txt"));
	}

	private static Path script() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path candidate = dir.resolve("examples/lock-client.sh");
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
		}
		throw new IllegalStateException("examples/lock-client.sh not found above " + Path.of("").toAbsolutePath());
	}

	private static boolean onPath(String executable) {
		String path = System.getenv("PATH");
		return path != null && Arrays.stream(path.split(File.pathSeparator))
			.anyMatch((dir) -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, executable)));
	}

}
