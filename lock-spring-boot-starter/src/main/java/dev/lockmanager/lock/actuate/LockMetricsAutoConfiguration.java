package dev.lockmanager.lock.actuate;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.MaximumAllowableTagsMeterFilter;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.autoconfigure.DistributedLockProperties;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Records the leases of the auto-configured {@link RedisLockManager} as Micrometer meters ({@code lock.wait},
 * {@code lock.held}, {@code lock.renewals}, {@code lock.renewal.failures}, {@code lock.lost},
 * {@code lock.lost.releases} and the gauge {@code lock.leases.held}) when the application has a {@link MeterRegistry}.
 * The number of lock names recorded as tag values is bounded by {@code distributed-lock.metrics.max-names}, for these
 * meters and for those Spring Boot derives from the {@code lock.acquire} observation.
 */
@AutoConfiguration(after = { DistributedLockAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MaximumAllowableTagsMeterFilter.class })
@ConditionalOnBean({ RedisLockManager.class, MeterRegistry.class })
@EnableConfigurationProperties(DistributedLockProperties.class)
public final class LockMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LeaseMetrics leaseMetrics(MeterRegistry meterRegistry) {
		return new LeaseMetrics(meterRegistry);
	}

	@Bean
	@ConditionalOnMissingBean
	HeldLeasesMeterBinder heldLeasesMeterBinder(RedisLockManager lockManager) {
		return new HeldLeasesMeterBinder(lockManager);
	}

	@Bean
	@ConditionalOnMissingBean(name = "lockNameTagsMeterFilter")
	MaximumAllowableTagsMeterFilter lockNameTagsMeterFilter(DistributedLockProperties properties) {
		return nameLimit("name", properties);
	}

	@Bean
	@ConditionalOnMissingBean(name = "lockAcquireObservationNameTagsMeterFilter")
	MaximumAllowableTagsMeterFilter lockAcquireObservationNameTagsMeterFilter(DistributedLockProperties properties) {
		return nameLimit("lock.name", properties);
	}

	private static MaximumAllowableTagsMeterFilter nameLimit(String tag, DistributedLockProperties properties) {
		return new MaximumAllowableTagsMeterFilter("lock.", tag, properties.metrics().maxNames(),
				"Lock names must be few (they tag the lock meters); raise distributed-lock.metrics.max-names if "
						+ "yours are.");
	}

}
