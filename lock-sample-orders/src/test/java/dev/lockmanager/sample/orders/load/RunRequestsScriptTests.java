package dev.lockmanager.sample.orders.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lockmanager.lock.testing.RedisServerExtension;
import dev.lockmanager.sample.orders.Inventory;

/**
 * Runs {@code run_requests.sh} from the repository root against the sample served on a random port, with a real
 * Redis and a private in-memory database. Skipped where {@code bash} or {@code curl} is missing.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "orders.embedded-redis=false")
class RunRequestsScriptTests {

	private static final long SCRIPT_TIMEOUT_SECONDS = 120;

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	@TempDir
	Path tempDir;

	@LocalServerPort
	int port;

	@Autowired
	Inventory inventory;

	@Autowired
	JdbcClient jdbc;

	@DynamicPropertySource
	static void redisAndDatabase(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.port", () -> redis.server().port());
		registry.add("spring.datasource.url", () -> "jdbc:h2:mem:run-requests-" + UUID.randomUUID()
				+ ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
	}

	@BeforeAll
	static void requireBashAndCurl() {
		assumeThat(onPath("bash")).as("bash on the PATH").isTrue();
		assumeThat(onPath("curl")).as("curl on the PATH").isTrue();
	}

	@Test
	void concurrentBatchesAreLoggedCountedAndTheBooksBalance() throws Exception {
		int stockBefore = stockOf("item3");
		Path log = this.tempDir.resolve("responses.log");

		Result result = run("--url", url(), "--batches", "5", "--concurrency", "10", "--item", "item3", "--log",
				log.toString());

		assertThat(result.exitCode()).as(result.output()).isZero();
		assertThat(result.output()).contains("100% (5/5)")
			.containsPattern("Requests:\\s+50 in ")
			.contains("PASS");
		int successes = result.count("(?m)^  Successful:\\s+(\\d+)");
		int failures = result.count("(?m)^  Failed:\\s+(\\d+)");
		assertThat(successes + failures).isEqualTo(50);
		assertThat(successes).as(result.output()).isPositive();
		assertThat(stockOf("item3")).isEqualTo(stockBefore - successes);
		List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
		assertThat(lines).hasSize(50)
			.allMatch((line) -> line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?[+-]\\d{4} "
					+ Pattern.quote(url()) + " HTTP \\d{3} \\d+\\.\\d+s \\{.*\\}"), "timestamp, instance, status, body");
		assertThat(lines.stream().filter((line) -> line.contains(" HTTP 201 "))).hasSize(successes);
	}

	@Test
	void ordersBeyondTheStockAreRefusedWith409AndTheBooksStillBalance() throws Exception {
		this.jdbc.sql("INSERT INTO tb_inventory (item_name, quantity) VALUES ('scarce', 7)").update();

		Result result = run("--url", url(), "--batches", "3", "--concurrency", "10", "--delay", "0", "--item",
				"scarce", "--log", this.tempDir.resolve("scarce.log").toString());

		assertThat(result.exitCode()).as(result.output()).isZero();
		assertThat(result.count("(?m)^  Successful:\\s+(\\d+)")).isEqualTo(7);
		assertThat(result.count("HTTP 409 INSUFFICIENT_STOCK\\s+(\\d+)")).isEqualTo(23);
		assertThat(result.output()).contains("PASS");
		assertThat(stockOf("scarce")).isZero();
	}

	@Test
	void helpExitsZeroAndListsEveryFlagWithItsEnvironmentVariable() throws Exception {
		Result result = run("--help");

		assertThat(result.exitCode()).isZero();
		assertThat(result.output()).contains("--url", "--instances", "--item", "--quantity", "--concurrency",
				"--batches", "--delay", "--log", "--timeout", "--unlocked", "--help")
			.contains("LOAD_URL", "LOAD_INSTANCES", "LOAD_ITEM", "LOAD_QUANTITY", "LOAD_CONCURRENCY", "LOAD_BATCHES",
					"LOAD_DELAY", "LOAD_LOG", "LOAD_TIMEOUT", "LOAD_UNLOCKED");
	}

	@Test
	void unreachableServiceFailsWithAMessageSayingHowToStartIt() throws Exception {
		String nobody = "http://127.0.0.1:" + freePort();

		Result result = run("--url", nobody, "--log", this.tempDir.resolve("unused.log").toString());

		assertThat(result.exitCode()).isNotZero();
		assertThat(result.output()).contains("does not answer at " + nobody).contains("spring-boot:run");
	}

	@Test
	void zeroBatchesIsRejectedNamingTheFlag() throws Exception {
		Result result = run("--batches", "0");

		assertThat(result.exitCode()).isNotZero();
		assertThat(result.output()).contains("--batches must be a positive whole number, not '0'");
	}

	@Test
	void nonNumericConcurrencyIsRejectedNamingTheFlag() throws Exception {
		Result result = run("--concurrency", "x");

		assertThat(result.exitCode()).isNotZero();
		assertThat(result.output()).contains("--concurrency must be a positive whole number, not 'x'");
	}

	private String url() {
		return "http://127.0.0.1:" + this.port;
	}

	private int stockOf(String item) {
		return this.inventory.find(item).orElseThrow().quantity();
	}

	/** Runs the script with bash, stdout and stderr into one file (not a terminal: progress comes as lines). */
	private Result run(String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("bash", script().toString()));
		command.addAll(Arrays.asList(arguments));
		Path output = Files.createTempFile(this.tempDir, "output", ".txt");
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.tempDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile());
		// The script reads its defaults from LOAD_* variables: the caller's environment must not leak in.
		builder.environment().keySet().removeIf((name) -> name.startsWith("LOAD_"));
		Process process = builder.start();
		if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor();
			throw new AssertionError("run_requests.sh did not finish within " + SCRIPT_TIMEOUT_SECONDS + "s:\n"
					+ Files.readString(output));
		}
		return new Result(process.exitValue(), Files.readString(output));
	}

	/** The script at the repository root, found from the module's working directory upwards. */
	private static Path script() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path candidate = dir.resolve("run_requests.sh");
			if (Files.isRegularFile(candidate) && Files.isRegularFile(dir.resolve("mvnw"))) {
				return candidate;
			}
		}
		throw new IllegalStateException("run_requests.sh not found above " + Path.of("").toAbsolutePath());
	}

	private static boolean onPath(String executable) {
		String path = System.getenv("PATH");
		return path != null && Arrays.stream(path.split(File.pathSeparator))
			.anyMatch((dir) -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, executable)));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * What the script printed and how it exited.
	 */
	private record Result(int exitCode, String output) {

		/** The number captured by the pattern's first group in the output. */
		int count(String regex) {
			Matcher matcher = Pattern.compile(regex).matcher(this.output);
			assertThat(matcher.find()).as("'%s' in:%n%s", regex, this.output).isTrue();
			return Integer.parseInt(matcher.group(1));
		}

	}

}
