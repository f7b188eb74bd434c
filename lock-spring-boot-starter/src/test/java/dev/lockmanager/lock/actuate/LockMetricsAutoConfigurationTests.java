package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;

/**
 * Conditions of {@link LockMetricsAutoConfiguration}; {@link LeaseMetricsTests} shows the meters on real Redis.
 */
class LockMetricsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DistributedLockAutoConfiguration.class, LockMetricsAutoConfiguration.class));

	@Test
	void recordsMetricsWithTheMeterRegistryOfSpringBoot() {
		this.runner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(LeaseMetrics.class).hasSingleBean(HeldLeasesMeterBinder.class);
				assertThat(context.getBean(MeterRegistry.class).find("lock.leases.held").gauge()).isNotNull();
			});
	}

	@Test
	void recordsMetricsWithAMeterRegistryOfTheApplication() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> assertThat(context).hasSingleBean(LeaseMetrics.class)
				.hasSingleBean(HeldLeasesMeterBinder.class)
				.hasBean("lockNameTagsMeterFilter")
				.hasBean("lockAcquireObservationNameTagsMeterFilter"));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		this.runner.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(LeaseMetrics.class)
			.doesNotHaveBean(HeldLeasesMeterBinder.class)
			.doesNotHaveBean(LockNameTags.class));
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LeaseMetrics.class));
	}

	@Test
	void backsOffWithoutTheMetricsSupportOfSpringBoot() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withClassLoader(new FilteredClassLoader(MetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LeaseMetrics.class));
	}

	@Test
	void backsOffWhenTheLockManagerIsDisabled() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("distributed-lock.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LeaseMetrics.class));
	}

	@Test
	void backsOffForALockManagerOfTheApplicationThatIsNotRedisLockManager() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withBean(LockManager.class, () -> mock(LockManager.class))
			.run((context) -> assertThat(context).doesNotHaveBean(LeaseMetrics.class));
	}

	@Test
	void rejectsAMaximumOfLockNamesBelowOne() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("distributed-lock.metrics.max-names=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("distributed-lock.metrics.max-names must be at least 1 but was 0"));
	}

}
