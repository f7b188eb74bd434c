package dev.lockmanager.lock.redis.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.TlsCertificates;

/**
 * The lock manager on a {@code redis-server} that listens with TLS only, configured as the README says: Spring Boot's
 * {@code spring.data.redis.ssl} with a PEM SSL bundle trusting the server's certificate authority, and the client's
 * own certificate when the server requires one (mutual TLS).
 */
class TlsTests {

	private static TlsCertificates certificates;

	private static RedisServer server;

	private static RedisServer mutualServer;

	@BeforeAll
	static void startServers() {
		assumeTrue(RedisServer.supportsTls(), "this redis-server binary was built without TLS (set REDIS_SERVER to "
				+ "one built with it, as Debian's is)");
		certificates = TlsCertificates.create();
		server = RedisServer.withTls(certificates);
		server.start();
		mutualServer = RedisServer.withTls(certificates, "--tls-auth-clients", "yes");
		mutualServer.start();
	}

	@AfterAll
	static void stopServers() {
		for (AutoCloseable closeable : new AutoCloseable[] { server, mutualServer, certificates }) {
			try {
				if (closeable != null) {
					closeable.close();
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}
	}

	private ApplicationContextRunner application(RedisServer redis) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					DistributedLockAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
					"spring.data.redis.timeout=2s", "spring.data.redis.connect-timeout=2s")
			.withPropertyValues(LockWorkout.SLOW_BACKOFF);
	}

	private static String file(Path path) {
		return "file:" + path;
	}

	@Test
	void locksWorkOverTlsWithAnSslBundleTrustingTheServersAuthority() {
		application(server)
			.withPropertyValues("spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
					"spring.ssl.bundle.pem.redis.truststore.certificate=" + file(certificates.authority()))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				LockWorkout.run(context);
			});
	}

	@Test
	void locksWorkWithMutualTlsWhenTheBundleHoldsTheClientsCertificate() {
		application(mutualServer)
			.withPropertyValues("spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
					"spring.ssl.bundle.pem.redis.truststore.certificate=" + file(certificates.authority()),
					"spring.ssl.bundle.pem.redis.keystore.certificate=" + file(certificates.clientCertificate()),
					"spring.ssl.bundle.pem.redis.keystore.private-key=" + file(certificates.clientKey()))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				LockWorkout.run(context);
			});
	}

	@Test
	void aServerRequiringAClientCertificateRefusesAClientWithoutOne() {
		application(mutualServer)
			.withPropertyValues("spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
					"spring.ssl.bundle.pem.redis.truststore.certificate=" + file(certificates.authority()))
			.run((context) -> assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> context.getBean(LockManager.class).tryAcquire("tls", Duration.ofSeconds(10)))
				.withMessageContaining("Redis could not be reached"));
	}

	@Test
	void aClientThatDoesNotTrustTheServersAuthorityIsRefused() {
		application(server).withPropertyValues("spring.data.redis.ssl.enabled=true")
			.run((context) -> assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> context.getBean(LockManager.class).tryAcquire("tls", Duration.ofSeconds(10)))
				.withMessageContaining("Redis could not be reached"));
	}

	@Test
	void aPlainTextClientIsRefused() {
		application(server).run((context) -> {
			assertThat(context.getBean(RedisLockManager.class).checkBackend().available()).isFalse();
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> context.getBean(LockManager.class).tryAcquire("tls", Duration.ofSeconds(10)))
				.withMessageContaining("Redis could not be reached");
		});
	}

}
