package dev.lockmanager.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisServerExtensionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(2);

	@Test
	void startsServersThatAnswerPing() {
		assertThat(redis.servers()).hasSize(2).allSatisfy((server) -> {
			assertThat(server.isRunning()).isTrue();
			assertThat(server.execute("PING")).isEqualTo("PONG");
		});
		assertThat(redis.server()).isSameAs(redis.server(0));
		assertThat(redis.server().uri()).isEqualTo("redis://127.0.0.1:" + redis.server().port());
	}

	@Test
	void givesEachServerItsOwnPort() {
		assertThat(redis.server(0).port()).isNotEqualTo(redis.server(1).port());
	}

	@Test
	void startsAgainOnTheSamePortAfterStop() {
		RedisServer server = redis.server();
		int port = server.port();

		server.stop();
		assertThat(server.isRunning()).isFalse();
		assertThatThrownBy(() -> server.execute("PING")).isInstanceOf(UncheckedIOException.class);

		server.start();
		assertThat(server.port()).isEqualTo(port);
		assertThat(server.execute("PING")).isEqualTo("PONG");
	}

	@Test
	void restartsOnTheSamePort() {
		RedisServer server = redis.server();
		int port = server.port();
		long pid = server.pid();

		server.restart();

		assertThat(server.port()).isEqualTo(port);
		assertThat(server.pid()).isNotEqualTo(pid);
		assertThat(server.execute("PING")).isEqualTo("PONG");
	}

	@Test
	void pausedServerDoesNotAnswerUntilResumed() {
		RedisServer server = redis.server();

		server.pause();
		assertThatThrownBy(() -> server.execute(Duration.ofMillis(300), "PING"))
			.isInstanceOf(UncheckedIOException.class)
			.hasCauseInstanceOf(SocketTimeoutException.class);
		assertThat(server.isRunning()).isTrue();

		server.resume();
		assertThat(server.execute("PING")).isEqualTo("PONG");
	}

	@Test
	void stopsAPausedServer() {
		RedisServer server = redis.server();
		long pid = server.pid();
		server.pause();

		server.stop();

		assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
	}

	@Test
	@Order(1)
	void leavesServersStoppedAndPaused() {
		redis.server(0).stop();
		redis.server(1).pause();
	}

	@Test
	@Order(2)
	void getsServersBackFromAnEarlierTest() {
		assertThat(redis.servers())
			.allSatisfy((server) -> assertThat(server.execute(Duration.ofSeconds(1), "PING")).isEqualTo("PONG"));
	}

	@Test
	void parsesReplies() {
		RedisServer server = redis.server();
		String key = "harness:" + UUID.randomUUID();

		assertThat(server.execute("SET", key, "välue")).isEqualTo("OK");
		assertThat(server.execute("GET", key)).isEqualTo("välue");
		assertThat(server.execute("GET", key + ":missing")).isNull();
		assertThat(server.execute("EXISTS", key)).isEqualTo(1L);
		assertThat(server.execute("RPUSH", key + ":list", "a", "", "c")).isEqualTo(3L);
		assertThat(server.execute("LRANGE", key + ":list", "0", "-1")).isEqualTo(List.of("a", "", "c"));
		assertThat((String) server.execute("INFO", "server")).contains("redis_version:");
		assertThatThrownBy(() -> server.execute("NO-SUCH-COMMAND")).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("ERR unknown command");
	}

	@Test
	void flushAllEmptiesEveryServer() {
		redis.servers().forEach((server) -> server.execute("SET", "harness:" + UUID.randomUUID(), "v"));

		redis.flushAll();

		assertThat(redis.servers()).allSatisfy((server) -> assertThat(server.execute("DBSIZE")).isEqualTo(0L));
	}

	@Nested
	class WhenNested {

		@Test
		void sharesTheEnclosingServers() {
			assertThat(redis.servers()).hasSize(2)
				.allSatisfy((server) -> assertThat(server.execute("PING")).isEqualTo("PONG"));
		}

	}

}
