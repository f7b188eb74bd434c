package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;

/**
 * Conditions of {@link LockHealthContributorAutoConfiguration}. No Redis server is needed: nothing here checks health.
 */
class LockHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DistributedLockAutoConfiguration.class, LockHealthContributorAutoConfiguration.class));

	@Test
	void contributesTheLockBackendHealthIndicator() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(LockBackendHealthIndicator.class)
			.hasBean("distributedLockHealthIndicator"));
	}

	@Test
	void backsOffWhenTheIndicatorIsDisabled() {
		this.runner.withPropertyValues("management.health.distributed-lock.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LockBackendHealthIndicator.class));
	}

	@Test
	void backsOffWhenHealthIndicatorsAreDisabledByDefault() {
		this.runner.withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LockBackendHealthIndicator.class));
	}

	@Test
	void indicatorEnabledExplicitlyWinsOverTheDefault() {
		this.runner
			.withPropertyValues("management.health.defaults.enabled=false",
					"management.health.distributed-lock.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(LockBackendHealthIndicator.class));
	}

	@Test
	void backsOffWithoutSpringBootHealth() {
		this.runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LockBackendHealthIndicator.class));
	}

	@Test
	void backsOffWhenTheLockManagerIsDisabled() {
		this.runner.withPropertyValues("distributed-lock.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LockBackendHealthIndicator.class));
	}

	@Test
	void backsOffForALockManagerOfTheApplicationThatIsNotRedisLockManager() {
		this.runner.withBean(LockManager.class, () -> mock(LockManager.class))
			.run((context) -> assertThat(context).doesNotHaveBean(LockBackendHealthIndicator.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnIndicatorUnderTheSameName() {
		HealthIndicator own = () -> null;
		this.runner.withBean("distributedLockHealthIndicator", HealthIndicator.class, () -> own)
			.run((context) -> assertThat(context).doesNotHaveBean(LockBackendHealthIndicator.class)
				.getBean("distributedLockHealthIndicator")
				.isSameAs(own));
	}

	@Test
	void rejectsAHealthTimeoutBelowOneMillisecond() {
		this.runner.withPropertyValues("distributed-lock.health.timeout=0ms")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("distributed-lock.health.timeout must be at least 1ms but was PT0S"));
	}

}
