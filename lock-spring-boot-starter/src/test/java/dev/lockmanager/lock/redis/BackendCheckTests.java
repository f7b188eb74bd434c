package dev.lockmanager.lock.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * {@link RedisLockManager#checkBackend()} on real servers: a reachable server is available and gets the lock scripts
 * loaded, a paused one is reported unreachable within the command timeout, and quorum mode is available only while a
 * majority of its nodes is.
 */
class BackendCheckTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(3);

	private static final Duration NODE_TIMEOUT = Duration.ofMillis(200);

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<RedisLockManager> managers = new ArrayList<>();

	@AfterEach
	void close() {
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
	}

	@Test
	void reachableServerIsAvailableAndNamedByItsAddress() {
		BackendStatus status = manager().checkBackend();
		assertThat(status.available()).isTrue();
		assertThat(status.required()).isOne();
		assertThat(status.nodes()).containsExactly(BackendStatus.Node.up(address(redis.server())));
	}

	@Test
	void checkLoadsTheLockScriptsIntoAServerThatForgotThem() {
		RedisLockManager manager = manager();
		redis.server().execute("SCRIPT", "FLUSH");
		assertThat(manager.checkBackend().available()).isTrue();
		String[] command = Stream.concat(Stream.of("SCRIPT", "EXISTS"), scriptDigests()).toArray(String[]::new);
		assertThat(redis.server().execute(command)).isEqualTo(List.of(1L, 1L, 1L, 1L, 1L, 1L));
	}

	@Test
	void pausedServerIsReportedUnreachableWithinTheCommandTimeout() {
		RedisLockManager manager = manager();
		redis.server().pause();
		long start = System.nanoTime();
		BackendStatus status = manager.checkBackend();
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		redis.server().resume();
		assertThat(status.available()).isFalse();
		assertThat(status.nodes()).singleElement().satisfies((node) -> {
			assertThat(node.reachable()).isFalse();
			assertThat(node.error()).isNotBlank();
		});
		assertThat(took).isLessThan(RedisConnections.COMMAND_TIMEOUT.plusMillis(1500));
	}

	@Test
	void quorumIsAvailableWithAMinorityOfItsNodesDown() {
		RedisLockManager manager = quorumManager();
		redis.server(2).stop();
		BackendStatus status = manager.checkBackend();
		assertThat(status.available()).isTrue();
		assertThat(status.required()).isEqualTo(2);
		assertThat(status.nodes()).extracting(BackendStatus.Node::reachable).containsExactly(true, true, false);
		assertThat(status.nodes().get(2).name()).isEqualTo(address(redis.server(2)));
		assertThat(status.nodes().get(2).error()).isNotBlank();
	}

	@Test
	void quorumIsUnavailableWithoutAMajorityOfItsNodes() {
		RedisLockManager manager = quorumManager();
		redis.server(1).pause();
		redis.server(2).stop();
		long start = System.nanoTime();
		BackendStatus status = manager.checkBackend();
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		redis.server(1).resume();
		assertThat(status.available()).isFalse();
		assertThat(status.nodes()).extracting(BackendStatus.Node::reachable).containsExactly(true, false, false);
		assertThat(status.nodes().get(1).error()).contains("did not answer within 200ms");
		assertThat(took).isLessThan(RedisConnections.COMMAND_TIMEOUT); // the nodes' own timeout
	}

	@Test
	void checkGivenAShorterTimeoutReportsAPausedServerWithinIt() {
		RedisLockManager manager = manager();
		assertThat(manager.checkBackend().available()).isTrue(); // the connection is open
		redis.server().pause();
		long start = System.nanoTime();
		BackendStatus status = manager.checkBackend(Duration.ofMillis(100));
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		redis.server().resume();
		assertThat(status.nodes()).singleElement()
			.satisfies((node) -> assertThat(node.error()).isEqualTo("Redis did not answer within 100ms"));
		assertThat(took).isLessThan(RedisConnections.COMMAND_TIMEOUT);
	}

	@Test
	void quorumCheckGivenATimeoutShorterThanTheNodeTimeoutWaitsOnlyThatLong() {
		RedisLockManager manager = quorumManager();
		redis.server(1).pause();
		BackendStatus status = manager.checkBackend(Duration.ofMillis(50));
		redis.server(1).resume();
		assertThat(status.nodes().get(1).error()).contains("did not answer within 50ms");
	}

	private RedisLockManager manager() {
		LettuceConnectionFactory factory = RedisConnections.connectionFactory(redis.server());
		this.factories.add(factory);
		RedisLockManager manager = RedisLockManager.builder(factory).build();
		this.managers.add(manager);
		return manager;
	}

	private RedisLockManager quorumManager() {
		List<LettuceConnectionFactory> nodes = redis.servers().stream().map(RedisConnections::connectionFactory).toList();
		this.factories.addAll(nodes);
		RedisLockManager manager = RedisLockManager.builder(nodes.get(0)).quorum(nodes, NODE_TIMEOUT).build();
		this.managers.add(manager);
		// The first check opens the connections, which can take longer than a node timeout.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> manager.checkBackend().nodes().stream().allMatch(BackendStatus.Node::reachable));
		return manager;
	}

	private static String address(RedisServer server) {
		return server.host() + ":" + server.port();
	}

	private static Stream<String> scriptDigests() {
		return Stream.of("acquire.lua", "release.lua", "renew.lua", "raise-fencing.lua", "inspect.lua", "leave.lua").map((file) -> {
			try {
				return RedisScript.of(new ClassPathResource(file, RedisLeaseStore.class).getContentAsString(UTF_8))
					.getSha1();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
	}

}
