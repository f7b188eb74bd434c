package dev.lockmanager.lock.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.mockito.Mockito.mock;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Tests for the conditions of {@link DistributedLockAutoConfiguration} and the binding of
 * {@link DistributedLockProperties}. No Redis server is needed: Lettuce connects lazily, and nothing here sends a
 * command to Redis ({@link DistributedLockAutoConfigurationRedisTests} does).
 */
class DistributedLockAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class));

	@Test
	void createsRedisLockManagerByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(LockManager.class);
			assertThat(context).getBean(LockManager.class).isInstanceOf(RedisLockManager.class);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("distributed-lock.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LockManager.class);
			assertThat(context).doesNotHaveBean(DistributedLockProperties.class);
		});
	}

	@Test
	void backsOffWhenUserDefinesLockManager() {
		LockManager userLockManager = mock(LockManager.class);
		this.contextRunner.withBean(LockManager.class, () -> userLockManager).run((context) -> {
			assertThat(context).hasSingleBean(LockManager.class);
			assertThat(context).getBean(LockManager.class).isSameAs(userLockManager);
		});
	}

	@Test
	void backsOffWithoutRedisConnectionFactory() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(RedisConnectionFactory.class);
				assertThat(context).doesNotHaveBean(LockManager.class);
			});
	}

	@Test
	void backsOffWhenSpringDataRedisIsMissing() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LockManager.class);
			assertThat(context).doesNotHaveBean(DistributedLockProperties.class);
		});
	}


	@Test
	void bindsProperties() {
		this.contextRunner.withPropertyValues("distributed-lock.key-prefix=app:", "distributed-lock.max-ttl=10m")
			.run((context) -> {
				DistributedLockProperties properties = context.getBean(DistributedLockProperties.class);
				assertThat(properties.keyPrefix()).isEqualTo("app:");
				assertThat(properties.maxTtl()).isEqualTo(Duration.ofMinutes(10));
			});
	}

	@Test
	void bindsNestedProperties() {
		this.contextRunner
			.withPropertyValues("distributed-lock.backoff.initial-interval=20ms", "distributed-lock.backoff.multiplier=1.5",
					"distributed-lock.backoff.max-interval=1s", "distributed-lock.backoff.jitter=0",
					"distributed-lock.renewal.enabled=false", "distributed-lock.renewal.ratio=0.5",
					"distributed-lock.handoff.max-consecutive=0", "distributed-lock.handoff.time-slice=2s")
			.run((context) -> {
				DistributedLockProperties properties = context.getBean(DistributedLockProperties.class);
				assertThat(properties.handoff())
					.isEqualTo(new DistributedLockProperties.Handoff(0, Duration.ofSeconds(2)));
				assertThat(properties.backoff()).isEqualTo(new DistributedLockProperties.Backoff(Duration.ofMillis(20),
						1.5, Duration.ofSeconds(1), Duration.ZERO));
				assertThat(properties.renewal()).isEqualTo(new DistributedLockProperties.Renewal(false, 0.5));
			});
	}

	@Test
	void appliesMaxTtlAndMaxWaitTimeToLockManager() {
		this.contextRunner.withPropertyValues("distributed-lock.max-ttl=10m", "distributed-lock.max-wait-time=1m")
			.run((context) -> {
				LockManager lockManager = context.getBean(LockManager.class);
				// Both are rejected before Redis is contacted.
				assertThatIllegalArgumentException()
					.isThrownBy(() -> lockManager.tryAcquire("order-42", Duration.ofMinutes(11)))
					.withMessage("ttl must be at most PT10M (max-ttl) but was PT11M");
				assertThatIllegalArgumentException()
					.isThrownBy(() -> lockManager.acquire("order-42", Duration.ofSeconds(10), Duration.ofMinutes(2)))
					.withMessage("waitTime must be at most PT1M (max-wait-time) but was PT2M");
			});
	}

	@Test
	void defaultProperties() {
		this.contextRunner.run((context) -> {
			DistributedLockProperties properties = context.getBean(DistributedLockProperties.class);
			assertThat(properties.enabled()).isTrue();
			assertThat(properties.keyPrefix()).isEqualTo("lock:");
			assertThat(properties.defaultTtl()).isEqualTo(Duration.ofSeconds(30));
			assertThat(properties.defaultWaitTime()).isEqualTo(Duration.ofSeconds(5));
			assertThat(properties.maxTtl()).isEqualTo(Duration.ofHours(1));
			assertThat(properties.maxWaitTime()).isEqualTo(Duration.ofMinutes(5));
			assertThat(properties.maxWaiters()).isEqualTo(1000);
			assertThat(properties.fencingRetention()).isEqualTo(Duration.ofDays(7));
			assertThat(properties.backoff().initialInterval()).isEqualTo(Duration.ofMillis(100));
			assertThat(properties.backoff().multiplier()).isEqualTo(2.0);
			assertThat(properties.backoff().maxInterval()).isEqualTo(Duration.ofSeconds(2));
			assertThat(properties.backoff().jitter()).isEqualTo(Duration.ofMillis(50));
			assertThat(properties.handoff().maxConsecutive()).isEqualTo(16);
			assertThat(properties.handoff().timeSlice()).isEqualTo(Duration.ofMillis(50));
			assertThat(properties.renewal().enabled()).isTrue();
			assertThat(properties.renewal().ratio()).isEqualTo(0.33);
			assertThat(properties.replicaAcknowledgement().replicas()).isZero();
			assertThat(properties.replicaAcknowledgement().timeout()).isEqualTo(Duration.ofMillis(100));
		});
	}

	@Test
	void failsOnNegativeReplicaAcknowledgement() {
		assertStartupFails("distributed-lock.replica-acknowledgement.replicas=-1",
				"distributed-lock.replica-acknowledgement.replicas must not be negative but was -1");
	}

	@Test
	void failsOnZeroReplicaAcknowledgementTimeout() {
		assertStartupFails("distributed-lock.replica-acknowledgement.timeout=0",
				"distributed-lock.replica-acknowledgement.timeout must be at least 1ms but was PT0S");
	}

	@Test
	void failsOnKeyPrefixWithBrace() {
		assertStartupFails("distributed-lock.key-prefix={app}:",
				"distributed-lock.key-prefix must not contain braces (they would move the Cluster hash slot) but was {app}:");
	}

	@Test
	void failsOnZeroDefaultTtl() {
		assertStartupFails("distributed-lock.default-ttl=0", "distributed-lock.default-ttl must be at least 1ms but was PT0S");
	}

	@Test
	void failsOnZeroMaxTtl() {
		assertStartupFails("distributed-lock.max-ttl=0ms", "distributed-lock.max-ttl must be at least 1ms but was PT0S");
	}

	@Test
	void failsOnDefaultTtlAboveMaxTtl() {
		assertStartupFails("distributed-lock.default-ttl=2h",
				"distributed-lock.default-ttl must not exceed max-ttl (PT1H) but was PT2H");
	}

	@Test
	void failsOnNegativeDefaultWaitTime() {
		assertStartupFails("distributed-lock.default-wait-time=-1s",
				"distributed-lock.default-wait-time must not be negative but was PT-1S");
	}

	@Test
	void failsOnDefaultWaitTimeAboveMaxWaitTime() {
		assertStartupFails("distributed-lock.default-wait-time=10m",
				"distributed-lock.default-wait-time must not exceed max-wait-time (PT5M) but was PT10M");
	}

	@Test
	void failsOnNegativeMaxWaiters() {
		assertStartupFails("distributed-lock.max-waiters=-1", "distributed-lock.max-waiters must not be negative but was -1");
	}

	@Test
	void failsOnBackoffMultiplierBelowOne() {
		assertStartupFails("distributed-lock.backoff.multiplier=0.5",
				"distributed-lock.backoff.multiplier must be a finite number of at least 1 but was 0.5");
	}

	@Test
	void failsOnBackoffMultiplierThatIsNotANumber() {
		assertStartupFails("distributed-lock.backoff.multiplier=NaN",
				"distributed-lock.backoff.multiplier must be a finite number of at least 1 but was NaN");
	}

	@Test
	void failsOnRenewalRatioThatIsNotANumber() {
		assertStartupFails("distributed-lock.renewal.ratio=NaN",
				"distributed-lock.renewal.ratio must be between 0.1 and 0.9 but was NaN");
	}

	@Test
	void failsOnBackoffMaxIntervalShorterThanInitialInterval() {
		assertStartupFails("distributed-lock.backoff.max-interval=50ms",
				"distributed-lock.backoff.max-interval must not be shorter than backoff.initial-interval (PT0.1S) but was PT0.05S");
	}

	@Test
	void failsOnNegativeHandoffMaxConsecutive() {
		assertStartupFails("distributed-lock.handoff.max-consecutive=-1",
				"distributed-lock.handoff.max-consecutive must not be negative but was -1");
	}

	@Test
	void failsOnZeroHandoffTimeSlice() {
		assertStartupFails("distributed-lock.handoff.time-slice=0",
				"distributed-lock.handoff.time-slice must be at least 1ms but was PT0S");
	}

	@Test
	void failsOnNegativeBackoffJitter() {
		assertStartupFails("distributed-lock.backoff.jitter=-1ms",
				"distributed-lock.backoff.jitter must not be negative but was PT-0.001S");
	}

	@Test
	void failsOnQuorumOfTwoNodes() {
		assertStartupFails("distributed-lock.quorum.nodes=redis://127.0.0.1:7001,redis://127.0.0.1:7002",
				"distributed-lock.quorum.nodes must list at least 3 independent Redis masters (or none) but was "
						+ "[redis://127.0.0.1:7001, redis://127.0.0.1:7002]");
	}

	@Test
	void failsOnQuorumNodeThatIsNotARedisUri() {
		this.contextRunner
			.withPropertyValues("distributed-lock.quorum.nodes=redis://127.0.0.1:7001,redis://127.0.0.1:7002,banana")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context).getFailure().hasStackTraceContaining("quorum node 'banana' is not a Redis URI");
			});
	}

	@Test
	void quorumNodesAreBound() {
		this.contextRunner
			.withPropertyValues("distributed-lock.quorum.nodes=redis://127.0.0.1:7001,redis://127.0.0.1:7002,"
					+ "redis://127.0.0.1:7003", "distributed-lock.quorum.node-timeout=50ms")
			.run((context) -> {
				assertThat(context).hasSingleBean(LockManager.class);
				DistributedLockProperties.Quorum quorum = context.getBean(DistributedLockProperties.class).quorum();
				assertThat(quorum.nodes()).hasSize(3);
				assertThat(quorum.nodeTimeout()).isEqualTo(Duration.ofMillis(50));
			});
	}

	@Test
	void failsOnRenewalRatioAboveMaximum() {
		assertStartupFails("distributed-lock.renewal.ratio=0.95",
				"distributed-lock.renewal.ratio must be between 0.1 and 0.9 but was 0.95");
	}

	@Test
	void failsOnUnparsableDuration() {
		this.contextRunner.withPropertyValues("distributed-lock.default-ttl=banana").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'distributed-lock.default-ttl' to java.time.Duration")
				.rootCause()
				.hasMessage("'banana' is not a valid duration");
		});
	}

	private void assertStartupFails(String property, String message) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure().rootCause().isInstanceOf(IllegalArgumentException.class).hasMessage(message);
		});
	}

}
