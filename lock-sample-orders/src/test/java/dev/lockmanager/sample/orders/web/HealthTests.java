package dev.lockmanager.sample.orders.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code /actuator/health} during a Redis outage: one check of Redis, which answers DOWN within its own timeout
 * rather than after a command timeout (or two).
 */
class HealthTests extends WebTestSupport {

	/** Far longer than the health check's own timeout, so that a check held by it shows. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(4);

	@DynamicPropertySource
	static void slowCommands(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.timeout", () -> COMMAND_TIMEOUT.toMillis() + "ms");
	}

	@Test
	void healthChecksRedisOnceAndSaysDownWithinItsOwnTimeoutDuringAnOutage() {
		OrderApi.Response up = this.api.get("/actuator/health");
		assertThat(up.status()).isEqualTo(200);
		assertThat(up.json().path("components").has("distributedLock")).isTrue();
		assertThat(up.json().path("components").has("redis")).as("Boot's redis check, a second wait").isFalse();
		redis.server().stop();
		try {
			long start = System.nanoTime();
			OrderApi.Response down = this.api.get("/actuator/health");
			Duration took = Duration.ofNanos(System.nanoTime() - start);

			assertThat(down.status()).isEqualTo(503);
			JsonNode lock = down.json().path("components").path("distributedLock");
			assertThat(lock.path("status").asString()).isEqualTo("DOWN");
			assertThat(lock.path("details").toString()).contains("did not answer within 500ms");
			assertThat(took).isLessThan(COMMAND_TIMEOUT.dividedBy(2));
		}
		finally {
			redis.server().start();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> this.api.get("/actuator/health").status() == 200);
	}

}
