package dev.lockmanager.lock.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.redis.RedisLockManagerBuilder;

/**
 * Auto-configures a {@link LockManager} on the application's Redis connection factory. Backs off when
 * {@code distributed-lock.enabled=false} or when there is no {@link RedisConnectionFactory}; the application's own
 * {@link LockManager} bean, if any, replaces the Redis one. {@link LeaseListener} beans are told about the leases it
 * takes, in their order; acquisitions are observed through the application's {@link ObservationRegistry}, if any.
 */
@AutoConfiguration(after = DataRedisAutoConfiguration.class)
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DistributedLockProperties.class)
public final class DistributedLockAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(LockManager.class)
	@ConditionalOnBean(RedisConnectionFactory.class)
	RedisLockManager lockManager(RedisConnectionFactory connectionFactory, DistributedLockProperties properties,
			ObjectProvider<LeaseListener> listeners, ObjectProvider<ObservationRegistry> observations) {
		DistributedLockProperties.Backoff backoff = properties.backoff();
		RedisLockManagerBuilder builder = RedisLockManager.builder(connectionFactory);
		listeners.orderedStream().forEach(builder::listener);
		observations.ifAvailable(builder::observationRegistry);
		if (!properties.quorum().nodes().isEmpty()) {
			builder.quorumNodes(properties.quorum().nodes(), properties.quorum().nodeTimeout());
		}
		return builder
			.keyPrefix(properties.keyPrefix())
			.backOff(backoff.initialInterval(), backoff.multiplier(), backoff.maxInterval(), backoff.jitter())
			.handoff(properties.handoff().maxConsecutive(), properties.handoff().timeSlice())
			.renewal(properties.renewal().enabled(), properties.renewal().ratio())
			.maxTtl(properties.maxTtl())
			.maxWaitTime(properties.maxWaitTime())
			.maxWaiters(properties.maxWaiters())
			.fencingRetention(properties.fencingRetention())
			.replicaAcknowledgement(properties.replicaAcknowledgement().replicas(),
					properties.replicaAcknowledgement().timeout())
			.build();
	}

}
