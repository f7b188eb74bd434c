package dev.lockmanager.lock.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * HTTP clients of the lock API over a real server (Tomcat on a random port) and a real Redis server: they contend
 * for a lock and only one holds it, renewal keeps a lease past its ttl, expiry frees it, and path segments are
 * percent-decoded as the README promises.
 */
@SpringBootTest(classes = ApiKeyApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "distributed-lock.http.enabled=true", "distributed-lock.http.api-key=" + ApiKeyApplication.API_KEY,
				"spring.data.redis.host=127.0.0.1", "spring.data.redis.timeout=1s" })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class LockApiServerTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	@LocalServerPort
	int port;

	private LockApiClient first;

	private LockApiClient second;

	private String path;

	@DynamicPropertySource
	static void redisPort(DynamicPropertyRegistry registry) {
		int redisPort = redis.server().port();
		registry.add("spring.data.redis.port", () -> redisPort);
	}

	@BeforeEach
	void clients() {
		this.first = new LockApiClient(this.port);
		this.second = new LockApiClient(this.port);
		this.path = "/locks/contended-" + UUID.randomUUID();
	}

	@Test
	void twoClientsAskingAtOnceGetTheLockOnce() throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 20; round++) {
				String lock = this.path + "-" + round;
				CyclicBarrier start = new CyclicBarrier(2);
				List<CompletableFuture<LockApiClient.Response>> answers = new ArrayList<>();
				for (LockApiClient client : List.of(this.first, this.second)) {
					answers.add(CompletableFuture.supplyAsync(() -> {
						meet(start);
						return client.acquire(lock, "10s", "0");
					}, threads));
				}
				assertThat(answers.stream().map((answer) -> answer.join().status()))
					.containsExactlyInAnyOrder(201, 409);
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void twoClientsIncrementingUnderTheLockNeverOverlapAndLoseNoUpdate() throws Exception {
		String counter = "counter-" + UUID.randomUUID();
		redis.server().execute("SET", counter, "0");
		AtomicInteger holders = new AtomicInteger();
		ConcurrentLinkedQueue<Integer> overlaps = new ConcurrentLinkedQueue<>();
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			List<CompletableFuture<Void>> clients = new ArrayList<>();
			for (LockApiClient client : List.of(this.first, this.second)) {
				clients.add(CompletableFuture.runAsync(() -> {
					for (int i = 0; i < 25; i++) {
						LockApiClient.Response granted = client.acquire(this.path, "10s", "10s");
						assertThat(granted.status()).isEqualTo(201);
						int now = holders.incrementAndGet();
						if (now > 1) {
							overlaps.add(now);
						}
						// A non-atomic read-modify-write: only mutual exclusion keeps every increment.
						long value = Long.parseLong((String) redis.server().execute("GET", counter));
						redis.server().execute("SET", counter, Long.toString(value + 1));
						holders.decrementAndGet();
						assertThat(client.release(this.path, granted.token()).status()).isEqualTo(204);
					}
				}, threads));
			}
			CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(overlaps).isEmpty();
		assertThat(redis.server().execute("GET", counter)).isEqualTo("50");
	}

	@Test
	void renewalKeepsTheLeasePastItsOriginalTtl() {
		String token = this.first.acquire(this.path, "1s", "0").token();
		ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor();
		AtomicInteger renewals = new AtomicInteger();
		renewer.scheduleAtFixedRate(() -> {
			if (this.first.renew(this.path, token, "1s").status() == 200) {
				renewals.incrementAndGet();
			}
		}, 300, 300, TimeUnit.MILLISECONDS);
		try {
			await().during(Duration.ofMillis(2500))
				.atMost(Duration.ofSeconds(4))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> this.second.acquire(this.path, "1s", "0").status() == 409);
			assertThat(renewals).hasValueGreaterThanOrEqualTo(6);
		}
		finally {
			renewer.shutdownNow();
		}
		await().atMost(Duration.ofSeconds(3)).until(() -> this.second.acquire(this.path, "10s", "0").status() == 201);
	}

	@Test
	void expiryFreesTheLockAndTheFormerHolderCanNeitherRenewNorReleaseIt() {
		String expired = this.first.acquire(this.path, "500ms", "0").token();
		assertThat(this.second.acquire(this.path, "10s", "0").status()).isEqualTo(409);
		await().atMost(Duration.ofSeconds(3)).until(() -> this.second.acquire(this.path, "10s", "0").status() == 201);
		assertThat(this.first.renew(this.path, expired, "10s").status()).isEqualTo(410);
		assertThat(this.first.release(this.path, expired).status()).isEqualTo(404);
		assertThat(this.first.inspect(this.path).<Boolean>json("$.held")).isTrue();
	}

	@Test
	void pathSegmentsArePercentDecoded() {
		LockApiClient.Response granted = this.first.post("/locks/orders%20eu/caf%C3%A9%2A%3F", "{\"ttl\": \"10s\"}");
		assertThat(granted.status()).isEqualTo(201);
		assertThat(granted.<String>json("$.name")).isEqualTo("orders eu");
		assertThat(granted.<String>json("$.key")).isEqualTo("café*?");
		assertThat(granted.header("Location")).contains("/locks/orders%20eu/caf%C3%A9%2A%3F");
		assertThat(redis.server().execute("EXISTS", "lock:{orders%20eu:caf%C3%A9%2A%3F}")).isEqualTo(1L);
		assertThat(this.first.release("/locks/orders%20eu/caf%C3%A9%2A%3F", granted.token()).status()).isEqualTo(204);
	}

	/**
	 * What Tomcat refuses before Spring MVC sees the request: its own HTML 400, which the README lists.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "a%2Fb", "a%5Cb", "a%00b", "a%FFb", "9000 characters" })
	void pathsTomcatRefusesAreAnsweredWithItsOwnPageAndLockNothing(String key) {
		String path = "/locks/files/" + (key.equals("9000 characters") ? "k".repeat(9000) : key);
		LockApiClient.Response answer = this.first.post(path, "{\"ttl\": \"10s\"}");
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.header("Content-Type")).hasValueSatisfying((type) -> assertThat(type).startsWith("text/html"));
		assertThat(redis.server().execute("KEYS", "lock:{files:*")).asList().isEmpty();
	}

	@Test
	void headersTomcatRefusesAreAnsweredWithItsOwnPage() {
		LockApiClient.Response answer = this.first.send(this.first.request(this.path)
			.header("X-Padding", "p".repeat(9000))
			.POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"ttl\": \"10s\"}")));
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.header("Content-Type")).hasValueSatisfying((type) -> assertThat(type).startsWith("text/html"));
	}

	@Test
	void literalSemicolonIsRefusedSoMatrixVariablesNeverChangeTheLockedKey() {
		for (String path : new String[] { "/locks/orders/k;x", "/locks/orders;x/k" }) {
			LockApiClient.Response answer = this.first.post(path, "{\"ttl\": \"10s\"}");
			assertThat(answer.status()).as(path).isEqualTo(400);
			assertThat(answer.<String>json("$.field")).as(path).isEqualTo(path.endsWith(";x") ? "key" : "name");
		}
		assertThat(redis.server().execute("KEYS", "lock:{orders*")).asList().isEmpty();
	}

	/**
	 * Spring MVC's, Tomcat's and the starter's logging, on every path a token or the API key travels: grants,
	 * renewals and releases, refusals of a token (expired, another client's, malformed), of the API key, and Redis
	 * failing to answer. (Tomcat's connector, Spring MVC with request details, and Lettuce log them at their finest
	 * levels: {@link LockApiRequestLoggingTests}.)
	 */
	@Test
	void tokenAndApiKeyNeverAppearInSpringOrStarterLogsEvenAtTrace(CapturedOutput output) {
		LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
		List<String> loggers = List.of("org.springframework", "org.apache.catalina", "dev.lockmanager");
		loggers.forEach((logger) -> logging.setLogLevel(logger, LogLevel.TRACE));
		List<String> tokens = new ArrayList<>();
		try {
			LockApiClient.Response granted = this.first.acquire(this.path, "10s", "0");
			String token = granted.token();
			tokens.add(token);
			assertThat(this.first.renew(this.path, token, "10s").status()).isEqualTo(200);
			assertThat(this.first.inspect(this.path).status()).isEqualTo(200);
			// Refused tokens: malformed (never echoed), another client's, an expired one
			assertThat(this.first.renew(this.path, token + "0", "10s").status()).isEqualTo(400);
			String other = this.second.acquire(this.path + "-other", "10s", "0").token();
			tokens.add(other);
			assertThat(this.second.renew(this.path, other, "10s").status()).isEqualTo(410);
			assertThat(this.second.release(this.path, other).status()).isEqualTo(404);
			String expiring = this.second.acquire(this.path + "-expiring", "1ms", "0").token();
			tokens.add(expiring);
			assertThat(this.second.renew(this.path + "-expiring", expiring, "10s").status()).isEqualTo(410);
			// A wrong API key that contains the right one
			LockApiClient intruder = new LockApiClient(this.port, ApiKeyApplication.BEARER + "0");
			assertThat(intruder.renew(this.path, token, "10s").status()).isEqualTo(401);
			// Redis not answering: the request fails with the token in hand (not a release: Redis would run it on
			// resuming)
			redis.server().pause();
			try {
				assertThat(this.first.renew(this.path, token, "10s").status()).isEqualTo(503);
			}
			finally {
				redis.server().resume();
			}
			assertThat(this.first.release(this.path, token).status()).isEqualTo(204);
			assertThat(this.first.release(this.path, token).status()).isEqualTo(404);
		}
		finally {
			loggers.forEach((logger) -> logging.setLogLevel(logger, null));
		}
		assertThat(output.getAll()).contains("HTTP client acquired Grant[name=")
			.contains(this.path.substring(7))
			.contains("HTTP lock API: Could not renew");
		tokens.forEach((token) -> assertThat(output.getAll()).doesNotContain(token));
		assertThat(output.getAll()).doesNotContain(ApiKeyApplication.API_KEY);
	}

	/**
	 * The key is checked before anything else, Redis included: a wrong key gets the same answer whether the lease
	 * exists or not, and as it asks Redis nothing, in the same time.
	 */
	@Test
	void aWrongApiKeyIsAnsweredAlikeWhetherOrNotTheLeaseExistsWithoutAskingRedis() {
		String held = this.path + "-held";
		String free = this.path + "-free";
		String token = this.first.acquire(held, "30s", "0").token();
		String key = ApiKeyApplication.API_KEY;
		LockApiClient intruder = new LockApiClient(this.port,
				"Bearer " + key.substring(0, key.length() - 1) + (key.endsWith("x") ? "y" : "x"));
		long redisCalls = redisCalls();
		List<Function<String, LockApiClient.Response>> requests = List.of(
				(path) -> intruder.acquire(path, "10s", "0"), (path) -> intruder.renew(path, token, "10s"),
				(path) -> intruder.release(path, token), intruder::inspect);
		for (Function<String, LockApiClient.Response> request : requests) {
			LockApiClient.Response onHeld = request.apply(held);
			LockApiClient.Response onFree = request.apply(free);
			assertThat(onHeld.status()).isEqualTo(401);
			assertThat(onFree.status()).isEqualTo(401);
			assertThat(onHeld.headers().map()).containsEntry("www-authenticate",
					onFree.headers().allValues("www-authenticate"));
			assertThat(onHeld.body().replace(held, free)).isEqualTo(onFree.body());
		}
		assertThat(redisCalls()).as("commands Redis ran").isEqualTo(redisCalls);
		assertThat(this.first.inspect(held).<Boolean>json("$.held")).isTrue();
	}

	/** Every command the server ran, but the INFO that counts them. */
	private static long redisCalls() {
		long calls = 0;
		for (String line : String.valueOf(redis.server().execute("INFO", "commandstats")).split("\r?\n")) {
			if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
				calls += Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
			}
		}
		return calls;
	}

	private static void meet(CyclicBarrier barrier) {
		try {
			barrier.await(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
