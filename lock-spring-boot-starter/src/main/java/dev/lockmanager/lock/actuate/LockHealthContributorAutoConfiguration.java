package dev.lockmanager.lock.actuate;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Contributes the health of the lock backend, as {@code distributedLock}, when the application has Spring Boot's
 * health support and a {@link RedisLockManager}. Backs off with
 * {@code management.health.distributed-lock.enabled=false}.
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(RedisLockManager.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock")
public final class LockHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "distributedLockHealthIndicator")
	LockBackendHealthIndicator distributedLockHealthIndicator(RedisLockManager lockManager) {
		return new LockBackendHealthIndicator(lockManager);
	}

}
