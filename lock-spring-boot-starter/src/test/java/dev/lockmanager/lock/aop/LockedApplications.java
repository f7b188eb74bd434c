package dev.lockmanager.lock.aop;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.autoconfigure.DistributedLockAnnotationAutoConfiguration;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Application contexts as a Spring Boot application with the starter would have them, on a real Redis server.
 */
final class LockedApplications {

	private LockedApplications() {
	}

	static ApplicationContextRunner on(RedisServer server) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
					DistributedLockAutoConfiguration.class, DistributedLockAnnotationAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=" + server.host(), "spring.data.redis.port=" + server.port(),
					"spring.data.redis.timeout=2s");
	}

}
