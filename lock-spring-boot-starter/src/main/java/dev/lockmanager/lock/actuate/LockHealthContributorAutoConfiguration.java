package dev.lockmanager.lock.actuate;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.autoconfigure.DistributedLockProperties;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Contributes the health of the lock backend, as {@code distributedLock}, when the application has Spring Boot's
 * health support and a {@link RedisLockManager}; it waits for Redis at most {@code distributed-lock.health.timeout}.
 * Backs off with {@code management.health.distributed-lock.enabled=false}.
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(RedisLockManager.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock")
@EnableConfigurationProperties(DistributedLockProperties.class)
public final class LockHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "distributedLockHealthIndicator")
	LockBackendHealthIndicator distributedLockHealthIndicator(RedisLockManager lockManager,
			DistributedLockProperties properties) {
		return new LockBackendHealthIndicator(lockManager, properties.health().timeout());
	}

}
