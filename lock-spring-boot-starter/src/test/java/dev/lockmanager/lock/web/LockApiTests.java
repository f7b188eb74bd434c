package dev.lockmanager.lock.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Every endpoint of the HTTP lock API and every error it answers, through Spring MVC on a real Redis server, with an
 * API key and without Spring Security. The application names JSON properties in snake_case, which must not change
 * the API's own names.
 */
@SpringBootTest(classes = ApiKeyApplication.class,
		properties = { "distributed-lock.http.enabled=true", "distributed-lock.http.api-key=" + ApiKeyApplication.API_KEY,
				"distributed-lock.max-ttl=1m", "distributed-lock.max-wait-time=10s", "distributed-lock.max-waiters=1",
				"spring.jackson.property-naming-strategy=SNAKE_CASE", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.timeout=500ms" })
@AutoConfigureMockMvc
@DirtiesContext
class LockApiTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	@Autowired
	MockMvc mvc;

	@Autowired
	ApiKeyApplication.Jobs jobs;

	private String name;

	@DynamicPropertySource
	static void redisPort(DynamicPropertyRegistry registry) {
		int port = redis.server().port();
		registry.add("spring.data.redis.port", () -> port);
	}

	@BeforeEach
	void uniqueName() {
		this.name = "jobs-" + UUID.randomUUID();
	}

	@Test
	void acquireAnswersCreatedWithTokenFencingTokenTtlExpiryAndLocation() throws Exception {
		Instant before = Instant.now();
		this.mvc.perform(authorized(post("/locks/{name}/{key}", this.name, "item-1")).contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"10s\", \"waitTime\": \"1s\"}"))
			.andExpect(status().isCreated())
			.andExpect(header().string(HttpHeaders.LOCATION, "/locks/" + this.name + "/item-1"))
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.name").value(this.name))
			.andExpect(jsonPath("$.key").value("item-1"))
			.andExpect(jsonPath("$.token").value(org.hamcrest.Matchers.matchesPattern("[0-9a-f]{32}")))
			.andExpect(jsonPath("$.fencingToken").isNumber())
			.andExpect(jsonPath("$.ttl").value("10s"))
			.andExpect(jsonPath("$.expiresAt").value(org.hamcrest.Matchers.startsWith(before.toString().substring(0, 10))));
		assertThat((Long) redis.server().execute("PTTL", "lock:{" + this.name + ":item-1}")).isBetween(9_000L, 10_000L);
	}

	@Test
	void expiryIsTheTtlAfterTheGrant() throws Exception {
		Instant before = Instant.now();
		String body = acquire("/locks/" + this.name, "30s").getResponse().getContentAsString();
		Instant expiresAt = Instant.parse(JsonPath.read(body, "$.expiresAt"));
		assertThat(expiresAt).isBetween(before.plusSeconds(30), Instant.now().plusSeconds(30));
	}

	@Test
	void lockWithoutKeyIsTheLockOfAnAnnotationWithoutKey() throws Exception {
		assertThat(this.jobs.nightlyReport()).contains("ran");
		String token = token(acquire("/locks/nightly-report", "10s"));
		assertThat(this.jobs.nightlyReport()).isEmpty();
		this.mvc.perform(authorized(delete("/locks/nightly-report")).header("Lock-Token", token))
			.andExpect(status().isNoContent());
		assertThat(this.jobs.nightlyReport()).contains("ran");
	}

	@Test
	void lockWithKeyIsTheLockOfAnAnnotationWhoseKeyEvaluatesToIt() throws Exception {
		String token = token(acquire("/locks/inventory/item-7", "10s"));
		assertThat(this.jobs.reserve("item-7")).isEmpty();
		assertThat(this.jobs.reserve("item-8")).contains("ran");
		this.mvc.perform(authorized(delete("/locks/inventory/item-7")).header("Lock-Token", token))
			.andExpect(status().isNoContent());
		assertThat(this.jobs.reserve("item-7")).contains("ran");
	}

	@Test
	void heldLockAnswersConflictWithTheHoldersRemainingTimeAndRetryAfter() throws Exception {
		acquire("/locks/" + this.name, "20s");
		this.mvc.perform(authorized(post("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"10s\"}"))
			.andExpect(status().isConflict())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(409))
			.andExpect(jsonPath("$.code").value("LOCK_HELD"))
			.andExpect(jsonPath("$.remaining").value(org.hamcrest.Matchers.matchesPattern("1\\d(s\\d+ms|s)")))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("another client")))
			.andExpect(header().string(HttpHeaders.RETRY_AFTER, org.hamcrest.Matchers.matchesPattern("1[89]|20")));
	}

	@Test
	void acquireWaitsForTheHolderUpToTheWaitTime() throws Exception {
		acquire("/locks/" + this.name, "20s");
		long start = System.nanoTime();
		this.mvc.perform(authorized(post("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"10s\", \"waitTime\": \"300ms\"}")).andExpect(status().isConflict());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void waitingAcquireGetsTheLockWhenTheHolderReleases() throws Exception {
		String token = token(acquire("/locks/" + this.name, "20s"));
		CompletableFuture<MvcResult> waiter = waitForTheLock();
		this.mvc.perform(authorized(delete("/locks/{name}", this.name)).header("Lock-Token", token))
			.andExpect(status().isNoContent());
		assertThat(waiter.get().getResponse().getStatus()).isEqualTo(201);
	}

	@Test
	void acquireBeyondMaxWaitersAnswersServiceUnavailableWithRetryAfter() throws Exception {
		String token = token(acquire("/locks/" + this.name, "20s"));
		CompletableFuture<MvcResult> waiter = waitForTheLock(); // the one waiter max-waiters allows
		this.mvc.perform(authorized(post("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"10s\", \"waitTime\": \"5s\"}"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("TOO_MANY_WAITERS"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("max-waiters")))
			.andExpect(header().string(HttpHeaders.RETRY_AFTER, "1"));
		this.mvc.perform(authorized(delete("/locks/{name}", this.name)).header("Lock-Token", token))
			.andExpect(status().isNoContent());
		assertThat(waiter.get().getResponse().getStatus()).isEqualTo(201);
	}

	/**
	 * Starts a request that waits up to 8s for the lock on {@code (name, "*")} and returns once it waits.
	 */
	private CompletableFuture<MvcResult> waitForTheLock() {
		CompletableFuture<MvcResult> waiter = CompletableFuture.supplyAsync(() -> {
			try {
				return this.mvc.perform(authorized(post("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_JSON)
					.content("{\"ttl\": \"10s\", \"waitTime\": \"8s\"}")).andReturn();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> redis.server().execute("PUBSUB", "NUMSUB", "lock:{" + this.name + ":%2A}:released")
				.toString()
				.endsWith(", 1]"));
		return waiter;
	}

	@Test
	void renewExtendsTheLeaseAndAnswersTheNewExpiry() throws Exception {
		String token = token(acquire("/locks/" + this.name + "/k", "2s"));
		Instant before = Instant.now();
		MvcResult result = this.mvc
			.perform(authorized(put("/locks/{name}/k", this.name)).header("Lock-Token", token)
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"ttl\": \"45s\"}"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.name").value(this.name))
			.andExpect(jsonPath("$.key").value("k"))
			.andExpect(jsonPath("$.ttl").value("45s"))
			.andExpect(jsonPath("$", not(hasKey("token"))))
			.andReturn();
		Instant expiresAt = Instant.parse(JsonPath.read(result.getResponse().getContentAsString(), "$.expiresAt"));
		assertThat(expiresAt).isBetween(before.plusSeconds(45), Instant.now().plusSeconds(45));
		assertThat((Long) redis.server().execute("PTTL", "lock:{" + this.name + ":k}")).isGreaterThan(40_000L);
	}

	@Test
	void repeatedRenewalRenewsAgain() throws Exception {
		String token = token(acquire("/locks/" + this.name, "10s"));
		for (int i = 0; i < 2; i++) {
			this.mvc.perform(authorized(put("/locks/{name}", this.name)).header("Lock-Token", token)
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"ttl\": \"20s\"}")).andExpect(status().isOk());
		}
	}

	@Test
	void renewalWithAnotherTokenAnswersGoneAndLeavesTheHoldersLease() throws Exception {
		acquire("/locks/" + this.name, "10s");
		this.mvc.perform(authorized(put("/locks/{name}", this.name)).header("Lock-Token", "0".repeat(32))
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"50s\"}"))
			.andExpect(status().isGone())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("LEASE_GONE"));
		assertThat((Long) redis.server().execute("PTTL", "lock:{" + this.name + ":%2A}")).isLessThanOrEqualTo(10_000L);
	}

	@Test
	void renewalAfterReleaseAnswersGone() throws Exception {
		String token = token(acquire("/locks/" + this.name, "10s"));
		this.mvc.perform(authorized(delete("/locks/{name}", this.name)).header("Lock-Token", token))
			.andExpect(status().isNoContent());
		this.mvc.perform(authorized(put("/locks/{name}", this.name)).header("Lock-Token", token)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"10s\"}")).andExpect(status().isGone());
		assertThat(redis.server().execute("EXISTS", "lock:{" + this.name + ":%2A}")).isEqualTo(0L);
	}

	@Test
	void releaseAnswersNoContentAndFreesTheLock() throws Exception {
		String token = token(acquire("/locks/" + this.name, "10s"));
		this.mvc.perform(authorized(delete("/locks/{name}", this.name)).header("Lock-Token", token))
			.andExpect(status().isNoContent())
			.andExpect(content().string(""));
		this.mvc.perform(authorized(get("/locks/{name}", this.name))).andExpect(jsonPath("$.held").value(false));
	}

	@Test
	void repeatedReleaseAnswersNotFoundAndDoesNotTouchTheNextHolder() throws Exception {
		String first = token(acquire("/locks/" + this.name, "10s"));
		this.mvc.perform(authorized(delete("/locks/{name}", this.name)).header("Lock-Token", first))
			.andExpect(status().isNoContent());
		String next = token(acquire("/locks/" + this.name, "10s"));
		this.mvc.perform(authorized(delete("/locks/{name}", this.name)).header("Lock-Token", first))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("NOT_HELD"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("nothing was deleted")));
		assertThat(redis.server().execute("GET", "lock:{" + this.name + ":%2A}")).isEqualTo(next);
	}

	@Test
	void inspectShowsRemainingTimeAndFencingTokenButNeverTheToken() throws Exception {
		MvcResult granted = acquire("/locks/" + this.name + "/k", "30s");
		long fencingToken = ((Number) JsonPath.read(granted.getResponse().getContentAsString(), "$.fencingToken"))
			.longValue();
		this.mvc.perform(authorized(get("/locks/{name}/k", this.name)))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.name").value(this.name))
			.andExpect(jsonPath("$.key").value("k"))
			.andExpect(jsonPath("$.held").value(true))
			.andExpect(jsonPath("$.remaining").value(org.hamcrest.Matchers.matchesPattern("(29s\\d+ms|30s)")))
			.andExpect(jsonPath("$.fencingToken").value(fencingToken))
			.andExpect(content().string(not(org.hamcrest.Matchers.containsString(token(granted)))));
	}

	@Test
	void inspectOfAFreeLockShowsItFree() throws Exception {
		this.mvc.perform(authorized(get("/locks/{name}", this.name)))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.key").value("*"))
			.andExpect(jsonPath("$.held").value(false))
			.andExpect(jsonPath("$.remaining").value("0s"))
			.andExpect(jsonPath("$.fencingToken").value(0));
	}

	@ParameterizedTest(name = "{0} -> field {1}")
	@CsvSource(delimiter = '|', textBlock = """
			{"waitTime": "1s"}                    | ttl      | ttl is required
			{"ttl": null}                         | ttl      | ttl is required
			{"ttl": 10}                           | ttl      | must be a string such as "10s"
			{"ttl": "10"}                         | ttl      | needs a unit
			{"ttl": "ten seconds"}                | ttl      | must be a duration such as "10s"
			{"ttl": ""}                           | ttl      | must not be empty
			{"ttl": "0s"}                         | ttl      | ttl must be at least 1ms
			{"ttl": "-5s"}                        | ttl      | ttl must be at least 1ms
			{"ttl": "500us"}                      | ttl      | ttl must be at least 1ms
			{"ttl": "2m"}                         | ttl      | ttl must be at most PT1M (max-ttl)
			{"ttl": "200000000000d"}              | ttl      | too long
			{"ttl": "10s", "waitTime": "-1s"}     | waitTime | waitTime must not be negative
			{"ttl": "10s", "waitTime": "11s"}     | waitTime | waitTime must be at most PT10S (max-wait-time)
			{"ttl": "10s", "waitTime": true}      | waitTime | must be a string such as "10s"
			{"ttl": "10s", "wait_time": "1s"}     | wait_time | Unknown property 'wait_time'
			""")
	void invalidAcquisitionBodyAnswersBadRequestNamingTheField(String body, String field, String detail)
			throws Exception {
		this.mvc.perform(authorized(post("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_JSON).content(body))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INVALID_FIELD"))
			.andExpect(jsonPath("$.field").value(field))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString(detail)));
		assertThat(redis.server().execute("EXISTS", "lock:{" + this.name + ":%2A}")).isEqualTo(0L);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			{"ttl": "10s"                  | MALFORMED_BODY
			["ttl", "10s"]                 | MALFORMED_BODY
			"10s"                          | MALFORMED_BODY
			""")
	void malformedJsonAnswersBadRequestNamingTheBody(String body, String code) throws Exception {
		this.mvc.perform(authorized(post("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_JSON).content(body))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value(code))
			.andExpect(jsonPath("$.field").value("body"));
	}

	@Test
	void missingBodyAnswersBadRequestNamingTheBody() throws Exception {
		this.mvc.perform(authorized(post("/locks/{name}", this.name)))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.field").value("body"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("{\"ttl\": \"10s\"")));
	}

	@Test
	void wrongContentTypeAnswersBadRequestNamingTheHeader() throws Exception {
		this.mvc.perform(authorized(post("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.content("ttl=10s"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("UNSUPPORTED_CONTENT_TYPE"))
			.andExpect(jsonPath("$.field").value("Content-Type"));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			/locks/%20                        | name | must not be empty or blank
			/locks/a/%20%20                   | key  | must not be empty or blank
			/locks/a%01b                      | name | must not contain control characters but contains U+0001
			/locks/a/b%7Fc                    | key  | must not contain control characters but contains U+007F
			/locks/                           | name | must not be empty
			/locks/a/                         | key  | must not be empty
			""")
	void invalidNameOrKeyAnswersBadRequestNamingIt(String path, String field, String detail) throws Exception {
		this.mvc.perform(authorized(post(URI.create(path))).contentType(MediaType.APPLICATION_JSON).content("{\"ttl\": \"1s\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.field").value(field))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString(detail)));
	}

	@Test
	void nameOrKeyLongerThan200CharactersAnswersBadRequest() throws Exception {
		this.mvc.perform(authorized(get("/locks/{name}", "n".repeat(201))))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.field").value("name"))
			.andExpect(jsonPath("$.detail").value("name must be at most 200 characters but was 201 characters long"));
		this.mvc.perform(authorized(get("/locks/n/{key}", "é".repeat(201))))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.field").value("key"));
		this.mvc.perform(authorized(get("/locks/{name}/{key}", "n".repeat(200), "é".repeat(200))))
			.andExpect(status().isOk());
	}

	@ParameterizedTest(name = "Lock-Token: ''{0}''")
	@CsvSource(delimiter = '|', emptyValue = "", textBlock = """
			''                                    | is required
			'   '                                 | is required
			not-a-token                           | must be the 32 lowercase hexadecimal characters
			0123456789ABCDEF0123456789ABCDEF      | must be the 32 lowercase hexadecimal characters
			""")
	void malformedOrMissingLockTokenAnswersBadRequestWithoutEchoingIt(String token, String detail) throws Exception {
		MockHttpServletRequestBuilder release = authorized(delete("/locks/{name}", this.name));
		if (!token.isEmpty()) {
			release.header("Lock-Token", token);
		}
		this.mvc.perform(release)
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.field").value("Lock-Token"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString(detail)))
			.andExpect(content().string(token.isBlank() ? org.hamcrest.Matchers.anything()
					: not(org.hamcrest.Matchers.containsString(token))));
	}

	@Test
	void renewalWithoutLockTokenAnswersBadRequest() throws Exception {
		this.mvc.perform(authorized(put("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"10s\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.field").value("Lock-Token"));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			{"ttl": "2m"}                         | ttl      | ttl must be at most PT1M (max-ttl)
			{"ttl": "0ms"}                        | ttl      | ttl must be at least 1ms
			{"ttl": "10s", "waitTime": "1s"}      | waitTime | Unknown property 'waitTime'
			{}                                    | ttl      | ttl is required
			""")
	void invalidRenewalBodyAnswersBadRequestNamingTheField(String body, String field, String detail) throws Exception {
		String token = token(acquire("/locks/" + this.name, "10s"));
		this.mvc.perform(authorized(put("/locks/{name}", this.name)).header("Lock-Token", token)
			.contentType(MediaType.APPLICATION_JSON)
			.content(body))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.field").value(field))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString(detail)));
	}

	@ParameterizedTest(name = "Accept: {0}")
	@CsvSource({ "text/html", "application/xml", "text/plain, image/*" })
	void acquisitionWhoseAnswerTheClientDoesNotAcceptIsRefusedBeforeTheLockIsTaken(String accept) throws Exception {
		this.mvc.perform(authorized(post("/locks/{name}/k", this.name)).header(HttpHeaders.ACCEPT, accept)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"30s\"}"))
			.andExpect(status().isNotAcceptable())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("NOT_ACCEPTABLE"));
		assertThat(redis.server().execute("EXISTS", "lock:{" + this.name + ":k}")).isEqualTo(0L);
		this.mvc.perform(authorized(post("/locks/{name}/k", this.name)).header(HttpHeaders.ACCEPT, "text/html, */*;q=0.1")
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"30s\"}")).andExpect(status().isCreated());
	}

	@Test
	void renewalWhoseAnswerTheClientDoesNotAcceptIsRefusedBeforeTheLeaseIsRenewed() throws Exception {
		String token = token(acquire("/locks/" + this.name, "10s"));
		this.mvc.perform(authorized(put("/locks/{name}", this.name)).header("Lock-Token", token)
			.header(HttpHeaders.ACCEPT, "text/html")
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"50s\"}"))
			.andExpect(status().isNotAcceptable())
			.andExpect(jsonPath("$.code").value("NOT_ACCEPTABLE"));
		assertThat((Long) redis.server().execute("PTTL", "lock:{" + this.name + ":%2A}")).isLessThanOrEqualTo(10_000L);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			/locks/n/k;x                      | key
			/locks/n/k;                       | key
			/locks/n;x/k                      | name
			/locks/n;x                        | name
			""")
	void literalSemicolonIsRefusedRatherThanCuttingTheNameOrKeyShort(String path, String field) throws Exception {
		String unique = path.replace("/locks/n", "/locks/" + this.name);
		this.mvc.perform(authorized(post(URI.create(unique))).contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"30s\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INVALID_FIELD"))
			.andExpect(jsonPath("$.field").value(field))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("%3B")));
		assertThat(redis.server().execute("KEYS", "lock:{" + this.name + "*")).asList().isEmpty();
	}

	@Test
	void encodedSemicolonIsPartOfTheKey() throws Exception {
		this.mvc.perform(authorized(post(URI.create("/locks/" + this.name + "/k%3Bx"))).contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"30s\"}"))
			.andExpect(status().isCreated())
			.andExpect(jsonPath("$.key").value("k;x"));
	}

	@Test
	void unsupportedMethodAnswersMethodNotAllowedWithAllow() throws Exception {
		this.mvc.perform(authorized(patch("/locks/{name}/k", this.name)))
			.andExpect(status().isMethodNotAllowed())
			.andExpect(header().string(HttpHeaders.ALLOW, "GET, HEAD, POST, PUT, DELETE, OPTIONS"))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("METHOD_NOT_ALLOWED"));
	}

	@Test
	void pathsThatAddressNoLockAnswerNotFound() throws Exception {
		for (String path : new String[] { "/locks", "/locks/a/b/c" }) {
			this.mvc.perform(authorized(get(URI.create(path))))
				.andExpect(status().isNotFound())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.code").value("NOT_FOUND"))
				.andExpect(jsonPath("$.instance").value(path));
		}
	}

	@Test
	void missingApiKeyAnswersUnauthorizedWithBearerChallenge() throws Exception {
		this.mvc.perform(get("/locks/{name}", this.name))
			.andExpect(status().isUnauthorized())
			.andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"lock-api\""))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("UNAUTHORIZED"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("Authorization: Bearer")));
	}

	@Test
	void wrongApiKeyAnswersUnauthorized() throws Exception {
		for (String authorization : new String[] { "Bearer " + ApiKeyApplication.API_KEY + "x",
				"Bearer " + ApiKeyApplication.API_KEY.substring(1), "Bearer ", "Basic dXNlcjpwYXNz",
				ApiKeyApplication.API_KEY }) {
			this.mvc.perform(get("/locks/{name}", this.name).header(HttpHeaders.AUTHORIZATION, authorization))
				.andExpect(status().isUnauthorized())
				.andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, org.hamcrest.Matchers.startsWith("Bearer")))
				.andExpect(content().string(not(org.hamcrest.Matchers.containsString(ApiKeyApplication.API_KEY))));
		}
	}

	@Test
	void authenticationIsCheckedBeforeTheRequestIsRead() throws Exception {
		this.mvc.perform(post("/locks/{name}", this.name).contentType(MediaType.APPLICATION_JSON).content("{not json"))
			.andExpect(status().isUnauthorized());
		this.mvc.perform(patch("/locks/{name}", this.name)).andExpect(status().isUnauthorized());
		this.mvc.perform(get("/locks/a/b/c")).andExpect(status().isUnauthorized());
	}

	@Test
	void bearerSchemeIsCaseInsensitive() throws Exception {
		this.mvc.perform(get("/locks/{name}", this.name).header(HttpHeaders.AUTHORIZATION, "bearer " + ApiKeyApplication.API_KEY))
			.andExpect(status().isOk());
	}

	@Test
	void everyOperationAnswersServiceUnavailableWhileRedisIsUnreachable() throws Exception {
		String token = token(acquire("/locks/" + this.name, "10s"));
		redis.server().stop();
		MockHttpServletRequestBuilder[] requests = {
				authorized(post("/locks/{name}", this.name)).contentType(MediaType.APPLICATION_JSON)
					.content("{\"ttl\": \"10s\"}"),
				authorized(put("/locks/{name}", this.name)).header("Lock-Token", token)
					.contentType(MediaType.APPLICATION_JSON)
					.content("{\"ttl\": \"10s\"}"),
				authorized(delete("/locks/{name}", this.name)).header("Lock-Token", token),
				authorized(get("/locks/{name}", this.name)) };
		try {
			for (MockHttpServletRequestBuilder request : requests) {
				this.mvc.perform(request)
					.andExpect(status().isServiceUnavailable())
					.andExpect(header().string(HttpHeaders.RETRY_AFTER, "1"))
					.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
					.andExpect(jsonPath("$.code").value("BACKEND_UNAVAILABLE"))
					.andExpect(jsonPath("$.detail").value(endsWith("Try again later")));
			}
		}
		finally {
			redis.server().start();
			// Lettuce reconnects with a backoff: the next test must not see this one's outage.
			org.awaitility.Awaitility.await()
				.atMost(Duration.ofSeconds(20))
				.until(() -> this.mvc.perform(authorized(get("/locks/{name}", this.name)))
					.andReturn()
					.getResponse()
					.getStatus() == 200);
		}
	}

	private MvcResult acquire(String path, String ttl) throws Exception {
		return this.mvc.perform(authorized(post(URI.create(path))).contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"" + ttl + "\"}")).andExpect(status().isCreated()).andReturn();
	}

	static String token(MvcResult result) throws Exception {
		return JsonPath.read(result.getResponse().getContentAsString(), "$.token");
	}

	static MockHttpServletRequestBuilder authorized(MockHttpServletRequestBuilder request) {
		return request.header(HttpHeaders.AUTHORIZATION, ApiKeyApplication.BEARER);
	}

}
