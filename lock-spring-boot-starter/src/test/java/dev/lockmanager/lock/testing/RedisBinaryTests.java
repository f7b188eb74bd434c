package dev.lockmanager.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisBinaryTests {

	@Test
	void picksTheBundledBinaryForThePlatform() {
		assertThat(RedisBinary.bundledResource("Linux", "amd64")).isEqualTo("redis-server-6.2.6-v5-linux-amd64");
		assertThat(RedisBinary.bundledResource("Linux", "aarch64")).isEqualTo("redis-server-6.2.7-linux-arm64");
		assertThat(RedisBinary.bundledResource("Linux", "i386")).isEqualTo("redis-server-6.2.7-linux-386");
		assertThat(RedisBinary.bundledResource("Mac OS X", "x86_64")).isEqualTo("redis-server-6.2.6-v5-darwin-amd64");
		assertThat(RedisBinary.bundledResource("Mac OS X", "aarch64")).isEqualTo("redis-server-6.2.6-v5-darwin-arm64");
	}

	@Test
	void explainsWhatToDoOnOtherPlatforms() {
		assertThatThrownBy(() -> RedisBinary.bundledResource("Windows 11", "amd64"))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("Windows 11/amd64")
			.hasMessageContaining("REDIS_SERVER");
	}

	@Test
	void bundledBinaryIsOnTheTestClasspath() {
		String resource = RedisBinary.bundledResource(System.getProperty("os.name"), System.getProperty("os.arch"));
		assertThat(RedisBinary.class.getResource("/" + resource)).isNotNull();
	}

}
