package dev.lockmanager.lock.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerTests {

	@Test
	void closeEndsTheServerAndItsWatchdog() {
		long pid;
		long watchdogPid;
		try (RedisServer server = new RedisServer()) {
			server.start();
			pid = server.pid();
			watchdogPid = server.watchdogPid();
			assertThat(isAlive(pid)).isTrue();
			assertThat(isAlive(watchdogPid)).isTrue();
		}
		assertThat(isAlive(pid)).isFalse();
		assertThat(isAlive(watchdogPid)).isFalse();
	}

	@Test
	void killEndsTheServerLikeACrashAndStartBringsItBackOnItsPort() {
		try (RedisServer server = new RedisServer()) {
			server.start();
			int port = server.port();
			long pid = server.pid();
			long watchdogPid = server.watchdogPid();

			server.kill();

			assertThat(server.isRunning()).isFalse();
			assertThat(isAlive(pid)).isFalse();
			assertThat(isAlive(watchdogPid)).isFalse();
			// SIGTERM would have made Redis log its shutdown
			assertThat(server.output()).doesNotContain("Received SIGTERM");
			server.start();
			assertThat(server.port()).isEqualTo(port);
			assertThat(server.execute("PING")).isEqualTo("PONG");
		}
	}

	@Test
	void killEndsAPausedServer() {
		try (RedisServer server = new RedisServer()) {
			server.start();
			long pid = server.pid();
			server.pause();

			server.kill();

			assertThat(isAlive(pid)).isFalse();
			server.start();
			assertThat(server.execute("PING")).isEqualTo("PONG");
		}
	}

	@Test
	void passesExtraArguments() {
		try (RedisServer server = new RedisServer("--maxmemory", "1mb")) {
			server.start();
			assertThat(server.execute("CONFIG", "GET", "maxmemory")).isEqualTo(List.of("maxmemory", "1048576"));
		}
	}

	@Test
	void runsSentinelsWhichNeedAConfigFile() {
		try (RedisServer sentinel = new RedisServer("--sentinel")) {
			sentinel.start();
			assertThat(sentinel.execute("SENTINEL", "MASTERS")).isEqualTo(List.of());
		}
	}

	@Test
	void reportsTheServerOutputWhenItCannotStart() {
		try (RedisServer server = new RedisServer("--no-such-directive", "yes")) {
			assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("exited with code 1")
				.hasMessageContaining("no-such-directive");
			assertThat(server.isRunning()).isFalse();
		}
	}

	@Test
	void triesOtherPortsWhenThePortIsTaken() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
				// Overriding --port makes every attempt collide
				RedisServer server = new RedisServer("--port", String.valueOf(taken.getLocalPort()))) {
			assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("no free port in 5 attempts")
				.hasMessageContaining("Address already in use");
		}
	}

	@Test
	void watchdogKillsTheServerWhenTheJvmIsKilled(@TempDir Path tempDir) throws Exception {
		Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				// So that the directories the killed JVM cannot delete go with tempDir
				"-Djava.io.tmpdir=" + tempDir, "-cp", System.getProperty("java.class.path"),
				ServerInKilledJvm.class.getName())
			.redirectErrorStream(true)
			.start();
		long pid = 0;
		try (BufferedReader output = new BufferedReader(new InputStreamReader(jvm.getInputStream(), UTF_8))) {
			String[] pids = output.readLine().split(" ");
			pid = Long.parseLong(pids[0]);
			long watchdogPid = Long.parseLong(pids[1]);
			assertThat(isAlive(pid)).isTrue();

			jvm.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs

			long serverPid = pid;
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(isAlive(serverPid)).isFalse();
				assertThat(isAlive(watchdogPid)).isFalse();
			});
		}
		finally {
			jvm.destroyForcibly();
			// Should the watchdog fail, the server must still not outlive the build
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	/**
	 * Runs in a separate JVM that the test SIGKILLs.
	 */
	static final class ServerInKilledJvm {

		public static void main(String[] args) throws InterruptedException {
			RedisServer server = new RedisServer();
			server.start();
			System.out.println(server.pid() + " " + server.watchdogPid());
			Thread.sleep(Long.MAX_VALUE);
		}

	}

}
