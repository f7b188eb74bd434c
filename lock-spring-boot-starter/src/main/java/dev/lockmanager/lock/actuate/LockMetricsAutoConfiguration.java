package dev.lockmanager.lock.actuate;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.autoconfigure.DistributedLockProperties;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Records the leases of the auto-configured {@link RedisLockManager} as Micrometer meters ({@code lock.wait},
 * {@code lock.held}, {@code lock.renewals}, {@code lock.renewal.failures}, {@code lock.lost},
 * {@code lock.lost.releases} and the gauge {@code lock.leases.held}) when the application has a {@link MeterRegistry}
 * and Spring Boot's metrics support (which applies the {@link LockNameTags} filters to it). The lock names recorded
 * as tag values are bounded ({@code distributed-lock.metrics.names} and {@code max-names}), for these meters and for
 * those Spring Boot derives from the {@code lock.acquire} observation.
 */
@AutoConfiguration(after = { DistributedLockAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
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
	LockNameTags lockNameTagsMeterFilter(DistributedLockProperties properties) {
		return nameLimit("name", properties);
	}

	@Bean
	@ConditionalOnMissingBean(name = "lockAcquireObservationNameTagsMeterFilter")
	LockNameTags lockAcquireObservationNameTagsMeterFilter(DistributedLockProperties properties) {
		return nameLimit("lock.name", properties);
	}

	private static LockNameTags nameLimit(String tag, DistributedLockProperties properties) {
		return new LockNameTags(tag, properties.metrics().names(), properties.metrics().maxNames());
	}

}
