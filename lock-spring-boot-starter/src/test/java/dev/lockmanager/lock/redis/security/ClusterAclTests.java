package dev.lockmanager.lock.redis.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * The README's ACL for a Redis Cluster on a real 3+3 cluster, on every node: the sharded pub/sub line when every
 * master runs Redis 7, the classic line otherwise. It is enough for everything the starter does, and the application
 * refuses to start without any one of its permissions.
 */
class ClusterAclTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private ReadmeAcl acl;

	private ApplicationContextRunner application;

	@BeforeEach
	void createUser() {
		this.acl = acl();
		this.acl.applyTo(nodes());
		this.application = new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.cluster.nodes=" + String.join(",", redis.cluster().seeds()),
					"spring.data.redis.lettuce.cluster.refresh.adaptive=true",
					"spring.data.redis.lettuce.cluster.refresh.period=1s",
					"spring.data.redis.username=" + this.acl.user(),
					"spring.data.redis.password=" + ReadmeAcl.PASSWORD, "spring.data.redis.timeout=2s")
			.withPropertyValues(LockWorkout.SLOW_BACKOFF);
	}

	/** The shared cluster outlives this class: leave no user behind. */
	@AfterAll
	static void deleteUser() {
		nodes().forEach((node) -> node.execute("ACL", "DELUSER", acl().user()));
	}

	@Test
	void theReadmesAclIsEnoughForEverythingTheStarterDoes() {
		this.application.run((context) -> {
			assertThat(context).hasNotFailed();
			LockWorkout.run(context);
		});
		assertThat(ReadmeAcl.refusals(nodes())).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("permissions")
	void withoutAnyOnePermissionTheApplicationRefusesToStartNamingIt(String permission) {
		assumeTrue(sharded(), "the startup check needs redis.acl_check_cmd, which Redis 6.2 does not have");
		this.acl.without(permission).applyTo(nodes());
		this.application.run((context) -> AclAssertions.refusedToStartNaming(context, permission));
	}

	static List<String> permissions() {
		return ReadmeAcl.after("Cluster whose masters all run Redis 7").permissions();
	}

	private static ReadmeAcl acl() {
		return ReadmeAcl.after(sharded() ? "Cluster whose masters all run Redis 7" : "Cluster with a Redis 6.2 master");
	}

	private static boolean sharded() {
		return redis.cluster().masters().stream().allMatch((master) -> master.majorVersion() >= 7);
	}

	private static List<RedisServer> nodes() {
		return redis.cluster().nodes();
	}

}
