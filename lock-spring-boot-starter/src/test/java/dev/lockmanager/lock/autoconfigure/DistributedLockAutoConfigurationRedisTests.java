package dev.lockmanager.lock.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The auto-configured {@link LockManager} against a real Redis server: it uses the application's Redis connection
 * and properties, and releases its leases when the context closes.
 */
class DistributedLockAutoConfigurationRedisTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=" + redis.server().host(),
				"spring.data.redis.port=" + redis.server().port(), "spring.data.redis.timeout=1s");

	@Test
	void locksLiveInTheApplicationsRedisUnderTheConfiguredPrefix() {
		this.contextRunner.withPropertyValues("distributed-lock.key-prefix=app:").run((context) -> {
			Lease lease = context.getBean(LockManager.class).tryAcquire("order-42", Duration.ofSeconds(10)).orElseThrow();
			assertThat(redis.server().execute("GET", "app:{default:order-42}")).isNotNull();
			lease.release();
			assertThat(redis.server().execute("EXISTS", "app:{default:order-42}")).isEqualTo(0L);
		});
	}

	@Test
	void replicaAcknowledgementIsAppliedToEveryLease() {
		this.contextRunner.withPropertyValues("distributed-lock.replica-acknowledgement.replicas=1",
				"distributed-lock.replica-acknowledgement.timeout=50ms").run((context) -> {
					// The test server has no replica: no lease can be acknowledged.
					assertThatExceptionOfType(LockBackendUnavailableException.class)
						.isThrownBy(() -> context.getBean(LockManager.class).tryAcquire("order-44", Duration.ofSeconds(10)))
						.withMessageContaining("only 0 of 1 replicas acknowledged the lease within PT0.05S");
				});
	}

	@Test
	void replicaAcknowledgementTimeoutMustBeShorterThanTheRedisTimeout() {
		this.contextRunner.withPropertyValues("distributed-lock.replica-acknowledgement.replicas=1",
				"distributed-lock.replica-acknowledgement.timeout=1s").run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context).getFailure()
						.rootCause()
						.isInstanceOf(IllegalStateException.class)
						.hasMessage("The replica acknowledgement timeout (PT1S) must be shorter than the Redis command "
								+ "timeout (PT1S), or the client gives up on WAIT before Redis answers it");
				});
	}

	@Test
	void closingTheContextReleasesHeldLeases() {
		this.contextRunner.run((context) -> {
			Lease lease = context.getBean(LockManager.class).tryAcquire("order-43", Duration.ofMinutes(1)).orElseThrow();
			assertThat(redis.server().execute("EXISTS", "lock:{default:order-43}")).isEqualTo(1L);
			context.close();
			assertThat(lease.isHeld()).isFalse();
			assertThat(redis.server().execute("EXISTS", "lock:{default:order-43}")).isEqualTo(0L);
		});
	}

}
