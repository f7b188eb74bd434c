package dev.lockmanager.lock.redis.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.testing.RedisSentinelGroup;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * The README's ACLs for a Sentinel deployment on real servers: the standalone line on every data node and the
 * sentinels' line on every sentinel are enough for everything the starter does, and the application refuses to
 * start without any one of their permissions.
 */
class SentinelAclTests {

	private static final ReadmeAcl DATA_NODES = ReadmeAcl.after("Standalone");

	private static final ReadmeAcl SENTINELS = ReadmeAcl.after("Sentinels");

	private static RedisSentinelGroup group;

	@BeforeAll
	static void startGroup() {
		group = new RedisSentinelGroup();
		group.start();
	}

	@AfterAll
	static void stopGroup() {
		if (group != null) {
			group.close();
		}
	}

	private ApplicationContextRunner application() {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.sentinel.master=" + group.masterName(),
					"spring.data.redis.sentinel.nodes=" + String.join(",", group.sentinelNodes()),
					"spring.data.redis.sentinel.username=" + SENTINELS.user(),
					"spring.data.redis.sentinel.password=" + ReadmeAcl.PASSWORD,
					"spring.data.redis.username=" + DATA_NODES.user(),
					"spring.data.redis.password=" + ReadmeAcl.PASSWORD, "spring.data.redis.timeout=1s")
			.withPropertyValues(LockWorkout.SLOW_BACKOFF);
	}

	@BeforeEach
	void createUsers() {
		DATA_NODES.applyTo(dataNodes());
		SENTINELS.applyTo(group.sentinels());
	}

	@Test
	void theReadmesAclsAreEnoughForEverythingTheStarterDoes() {
		application().run((context) -> {
			assertThat(context).hasNotFailed();
			LockWorkout.run(context);
		});
		assertThat(ReadmeAcl.refusals(dataNodes())).isEmpty();
		assertThat(ReadmeAcl.refusals(group.sentinels())).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("dataNodePermissions")
	void withoutAnyOnePermissionOnTheDataNodesTheApplicationRefusesToStartNamingIt(String permission) {
		assumeTrue(group.master().majorVersion() >= 7,
				"the startup check needs redis.acl_check_cmd, which Redis 6.2 does not have");
		DATA_NODES.without(permission).applyTo(dataNodes());
		application().run((context) -> AclAssertions.refusedToStartNaming(context, permission));
	}

	static List<String> dataNodePermissions() {
		return DATA_NODES.permissions();
	}

	@ParameterizedTest
	@MethodSource("sentinelPermissions")
	void withoutAnyOnePermissionOnTheSentinelsTheApplicationRefusesToStartNamingIt(String permission) {
		SENTINELS.without(permission).applyTo(group.sentinels());
		application().run((context) -> AclAssertions.refusedToStartNaming(context, permission));
	}

	static List<String> sentinelPermissions() {
		return SENTINELS.permissions();
	}

	private static List<RedisServer> dataNodes() {
		List<RedisServer> nodes = new ArrayList<>(group.replicas());
		nodes.add(group.master());
		return nodes;
	}

}
