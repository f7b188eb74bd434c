package dev.lockmanager.lock.actuate;

import java.time.Duration;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Application contexts with the auto-configured lock manager on a real Redis server.
 */
final class RedisApplications {

	/** Short, so that tests of an unreachable Redis finish quickly. */
	static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	private RedisApplications() {
	}

	static ApplicationContextRunner on(RedisServer server) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
					DistributedLockAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=" + server.host(), "spring.data.redis.port=" + server.port(),
					"spring.data.redis.timeout=" + COMMAND_TIMEOUT.toMillis() + "ms");
	}

}
