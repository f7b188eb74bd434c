package dev.lockmanager.lock.actuate;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

import dev.lockmanager.lock.LeaseEvent;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Publishes a {@link LeaseEvent} for each change to the leases of the auto-configured {@link RedisLockManager}. Backs
 * off with {@code distributed-lock.events.enabled=false}.
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnBean(RedisLockManager.class)
@ConditionalOnBooleanProperty(name = "distributed-lock.events.enabled", matchIfMissing = true)
public final class LockEventsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LeaseEventPublisher leaseEventPublisher(ApplicationEventPublisher applicationEventPublisher) {
		return new LeaseEventPublisher(applicationEventPublisher);
	}

}
