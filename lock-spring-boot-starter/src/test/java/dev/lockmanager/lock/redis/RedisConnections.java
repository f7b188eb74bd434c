package dev.lockmanager.lock.redis;

import java.time.Duration;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * Connection factories as a Spring Boot application would create them, one per simulated application instance.
 */
final class RedisConnections {

	/** Short, so that tests of an unreachable Redis finish quickly; documented as the bound on a stalled call. */
	static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	private RedisConnections() {
	}

	static LettuceConnectionFactory connectionFactory(RedisServer server) {
		return connectionFactory(server, COMMAND_TIMEOUT);
	}

	static LettuceConnectionFactory connectionFactory(RedisServer server, Duration commandTimeout) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(server.host(), server.port()),
				LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
