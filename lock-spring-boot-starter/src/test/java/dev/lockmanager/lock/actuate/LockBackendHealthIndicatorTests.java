package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The {@code distributedLock} health indicator on a real Redis server: UP while it answers, DOWN once it stops
 * answering, and never slower than its own timeout or the command timeout.
 */
class LockBackendHealthIndicatorTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final ApplicationContextRunner runner = RedisApplications.on(redis.server())
		.withConfiguration(AutoConfigurations.of(LockHealthContributorAutoConfiguration.class));

	@Test
	void upWhileRedisAnswersWithTheNodeInTheDetails() {
		this.runner.run((context) -> {
			Health health = context.getBean("distributedLockHealthIndicator", HealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("required", 1)
				.containsEntry("nodes", Map.of(redis.server().host() + ":" + redis.server().port(),
						Map.of("status", "UP")));
		});
	}

	@Test
	void downWithinItsOwnTimeoutThoughTheCommandTimeoutIsLonger() {
		this.runner.withPropertyValues("spring.data.redis.timeout=5s", "distributed-lock.health.timeout=300ms")
			.run((context) -> {
				HealthIndicator indicator = context.getBean("distributedLockHealthIndicator", HealthIndicator.class);
				assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
				redis.server().pause();
				Health health;
				long start = System.nanoTime();
				try {
					health = indicator.health();
				}
				finally {
					redis.server().resume();
				}
				Duration took = Duration.ofNanos(System.nanoTime() - start);
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails().get("nodes")).asString().contains("did not answer within 300ms");
				assertThat(took).isLessThan(Duration.ofSeconds(2));
			});
	}

	@Test
	void downWithinTheCommandTimeoutWhileRedisDoesNotAnswer() {
		this.runner.run((context) -> {
			HealthIndicator indicator = context.getBean("distributedLockHealthIndicator", HealthIndicator.class);
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			redis.server().pause();
			Health health;
			long start = System.nanoTime();
			try {
				health = indicator.health();
			}
			finally {
				redis.server().resume();
			}
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			@SuppressWarnings("unchecked")
			Map<String, Map<String, String>> nodes = (Map<String, Map<String, String>>) health.getDetails().get("nodes");
			assertThat(nodes.values()).singleElement()
				.satisfies((node) -> assertThat(node).containsEntry("status", "DOWN").containsKey("error"));
			assertThat(took).isLessThan(RedisApplications.COMMAND_TIMEOUT.plusMillis(1500));
		});
	}

}
