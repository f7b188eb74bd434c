package dev.lockmanager.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An extension on an instance field gives every test its own servers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisServerExtensionInstanceFieldTests {

	private static long firstTestPid;

	@RegisterExtension
	final RedisServerExtension redis = RedisServerExtension.servers(1);

	@Test
	@Order(1)
	void firstTest() {
		firstTestPid = this.redis.server().pid();
		assertThat(this.redis.server().execute("PING")).isEqualTo("PONG");
	}

	@Test
	@Order(2)
	void secondTestGetsANewServer() {
		assertThat(ProcessHandle.of(firstTestPid).filter(ProcessHandle::isAlive)).isEmpty();
		assertThat(this.redis.server().pid()).isNotEqualTo(firstTestPid);
		assertThat(this.redis.server().execute("PING")).isEqualTo("PONG");
	}

}
