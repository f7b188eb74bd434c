package dev.lockmanager.lock.redis.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.redis.BackendStatus;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The README's ACL for a standalone Redis (also that of Sentinel data nodes and quorum nodes) on a real server: it is
 * enough for everything the starter does, and the application refuses to start without any one of its permissions.
 */
class StandaloneAclTests {

	private static final ReadmeAcl ACL = ReadmeAcl.after("Standalone");

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final ApplicationContextRunner application = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=" + redis.server().host(),
				"spring.data.redis.port=" + redis.server().port(), "spring.data.redis.timeout=1s",
				"spring.data.redis.username=" + ACL.user(), "spring.data.redis.password=" + ReadmeAcl.PASSWORD)
		.withPropertyValues(LockWorkout.SLOW_BACKOFF);

	@BeforeEach
	void createUser() {
		ACL.applyTo(servers());
	}

	@Test
	void theReadmesAclIsEnoughForEverythingTheStarterDoes() {
		this.application.run((context) -> {
			assertThat(context).hasNotFailed();
			LockWorkout.run(context);
		});
		assertThat(ReadmeAcl.refusals(servers())).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("permissions")
	void withoutAnyOnePermissionTheApplicationRefusesToStartNamingIt(String permission) {
		requireRedis7();
		ACL.without(permission).applyTo(servers());
		this.application.run((context) -> AclAssertions.refusedToStartNaming(context, permission));
	}

	static List<String> permissions() {
		return ACL.permissions();
	}

	@Test
	void replicaAcknowledgementAlsoNeedsWait() {
		requireRedis7();
		ApplicationContextRunner acknowledging = this.application.withPropertyValues(
				"distributed-lock.replica-acknowledgement.replicas=1",
				"distributed-lock.replica-acknowledgement.timeout=100ms");
		acknowledging.run((context) -> AclAssertions.refusedToStartNaming(context, "+wait"));
		ACL.with("+wait").applyTo(servers());
		acknowledging.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aPermissionTakenAwayLaterFailsTheNextAcquisitionAtOnceWithRedisRefusal() {
		this.application.run((context) -> {
			assertThat(context).hasNotFailed();
			ACL.without("+evalsha").applyTo(servers());
			long start = System.nanoTime();
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> context.getBean(LockManager.class)
					.acquire(LockRequest.of("revoked", Duration.ofSeconds(10)).withWaitTime(Duration.ofSeconds(30))))
				.withMessageContaining("Redis refused a command the lock manager needs")
				.withMessageContaining("NOPERM")
				.withMessageContaining("'evalsha'");
			// Not retried until the wait time runs out
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
		});
	}

	@Test
	void theHealthCheckShowsRedisRefusal() {
		this.application.run((context) -> {
			assertThat(context).hasNotFailed();
			ACL.without("+script|load").applyTo(servers());
			BackendStatus status = context.getBean(RedisLockManager.class).checkBackend();
			assertThat(status.available()).isFalse();
			// Redis 6.2 names the command: 'script'
			assertThat(status.nodes().get(0).error()).contains("NOPERM").containsAnyOf("'script|load'", "'script'");
		});
	}

	@Test
	void aRedisThatCannotBeReachedAtStartupIsNotChecked() {
		ACL.without("+pexpire").applyTo(servers());
		redis.server().stop();
		this.application.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void redis62IsNotChecked() {
		assumeTrue(redis.server().majorVersion() < 7, "Redis 7 checks permissions at startup");
		ACL.without("+pexpire").applyTo(servers());
		this.application.run((context) -> assertThat(context).hasNotFailed());
	}

	private static void requireRedis7() {
		assumeTrue(redis.server().majorVersion() >= 7,
				"the startup check needs redis.acl_check_cmd, which Redis 6.2 does not have");
	}

	private static List<RedisServer> servers() {
		return redis.servers();
	}

}
