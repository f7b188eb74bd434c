package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;

/**
 * Conditions of {@link LocksEndpointAutoConfiguration}; {@link LocksEndpointWebTests} and
 * {@link LocksEndpointForceReleaseWebTests} show the endpoint over HTTP.
 */
class LocksEndpointAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DistributedLockAutoConfiguration.class, LocksEndpointAutoConfiguration.class));

	@Test
	void registersTheEndpointWhenExposed() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=locks")
			.run((context) -> assertThat(context).hasSingleBean(LocksEndpoint.class));
	}

	@Test
	void backsOffWhenTheEndpointIsNotExposed() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(LocksEndpoint.class));
	}

	@Test
	void backsOffWhenTheEndpointsAccessIsNone() {
		// Upper case: unlike SpringApplication, the runner does not give the environment relaxed enum conversion.
		this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=locks", "management.endpoint.locks.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(LocksEndpoint.class));
	}

	@Test
	void backsOffWithoutActuator() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=locks")
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LocksEndpoint.class));
	}

	@Test
	void backsOffWhenTheLockManagerIsDisabled() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=locks", "distributed-lock.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LocksEndpoint.class));
	}

	@Test
	void backsOffForALockManagerOfTheApplicationThatIsNotRedisLockManager() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=locks")
			.withBean(LockManager.class, () -> mock(LockManager.class))
			.run((context) -> assertThat(context).doesNotHaveBean(LocksEndpoint.class));
	}

}
