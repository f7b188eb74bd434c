package dev.lockmanager.lock.redis.sentinel;

import java.time.Duration;
import java.util.HashSet;

import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.testing.RedisSentinelGroup;

/**
 * Connection factories to a Sentinel deployment as a Spring Boot application would create them, one per simulated
 * application instance.
 */
final class SentinelConnections {

	/** Short, so that calls to a dead master fail fast; the bound on how long one stalled call takes. */
	static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	private SentinelConnections() {
	}

	static LettuceConnectionFactory connectionFactory(RedisSentinelGroup group) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisSentinelConfiguration(group.masterName(), new HashSet<>(group.sentinelNodes())),
				LettuceClientConfiguration.builder().commandTimeout(COMMAND_TIMEOUT).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
