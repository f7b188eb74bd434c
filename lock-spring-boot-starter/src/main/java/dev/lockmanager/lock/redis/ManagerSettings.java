package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.List;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.lockmanager.lock.LeaseListener;

/**
 * The validated settings of one {@link RedisLockManager}, as {@link RedisLockManagerBuilder} made them.
 */
record ManagerSettings(String keyPrefix, ExponentialBackOff backOff, boolean renewalEnabled, double renewalRatio,
		Duration maxTtl, Duration maxWaitTime, int maxWaiters, Duration fencingRetention,
		List<RedisConnectionFactory> quorumNodes, Duration quorumNodeTimeout, boolean ownsQuorumNodes,
		List<LeaseListener> listeners, ObservationRegistry observations, int replicas, Duration replicaTimeout,
		int maxHandoffs, Duration handoffSlice) {
}
