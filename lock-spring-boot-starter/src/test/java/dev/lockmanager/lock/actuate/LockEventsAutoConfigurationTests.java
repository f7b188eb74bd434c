package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;

/**
 * Conditions of {@link LockEventsAutoConfiguration}; {@link LeaseEventsTests} shows the events on real Redis.
 */
class LockEventsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DistributedLockAutoConfiguration.class, LockEventsAutoConfiguration.class));

	@Test
	void publishesEventsByDefault() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(LeaseEventPublisher.class)
			.getBean(LeaseListener.class)
			.isSameAs(context.getBean(LeaseEventPublisher.class)));
	}

	@Test
	void backsOffWhenEventsAreDisabled() {
		this.runner.withPropertyValues("distributed-lock.events.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LeaseEventPublisher.class));
	}

	@Test
	void backsOffWhenTheLockManagerIsDisabled() {
		this.runner.withPropertyValues("distributed-lock.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LeaseEventPublisher.class));
	}

	@Test
	void backsOffForALockManagerOfTheApplicationThatIsNotRedisLockManager() {
		this.runner.withBean(LockManager.class, () -> mock(LockManager.class))
			.run((context) -> assertThat(context).doesNotHaveBean(LeaseEventPublisher.class));
	}

}
