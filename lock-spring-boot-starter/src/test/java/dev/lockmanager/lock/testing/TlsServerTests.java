package dev.lockmanager.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLSocketFactory;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsCertificates} and {@link RedisServer#withTls}: the server listens with TLS only, on its port, and the
 * certificates are what {@code redis-server} and Spring Boot's PEM bundles read.
 */
class TlsServerTests {

	private static TlsCertificates certificates;

	@BeforeAll
	static void createCertificates() {
		assumeTrue(RedisServer.supportsTls(), "this redis-server binary was built without TLS");
		certificates = TlsCertificates.create();
	}

	@AfterAll
	static void deleteCertificates() {
		if (certificates != null) {
			certificates.close();
		}
	}

	@Test
	void certificatesAndKeysArePemFiles() throws Exception {
		for (Path certificate : new Path[] { certificates.authority(), certificates.serverCertificate(),
				certificates.clientCertificate() }) {
			assertThat(Files.readString(certificate)).startsWith("-----BEGIN CERTIFICATE-----\n");
		}
		for (Path key : new Path[] { certificates.serverKey(), certificates.clientKey() }) {
			assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n");
		}
	}

	@Test
	void aTlsServerAnswersOverTlsOnItsPortAndNotInPlainText() {
		try (RedisServer server = RedisServer.withTls(certificates)) {
			server.start();
			assertThat(server.uri()).isEqualTo("rediss://127.0.0.1:" + server.port());
			assertThat(server.execute("PING")).isEqualTo("PONG");
			assertThat(server.execute("CONFIG", "GET", "port")).asInstanceOf(InstanceOfAssertFactories.LIST)
				.containsExactly("port", "0");
			assertThatThrownBy(() -> Resp.execute(server.host(), server.port(), Duration.ofSeconds(2), "PING"))
				.isInstanceOf(UncheckedIOException.class);
		}
	}

	@Test
	void aServerRequiringClientCertificatesRefusesAClientWithoutOne() {
		try (RedisServer server = RedisServer.withTls(certificates, "--tls-auth-clients", "yes")) {
			server.start();
			assertThat(server.execute("PING")).isEqualTo("PONG");
			SSLSocketFactory withoutCertificate = certificates.clientContext(false).getSocketFactory();
			assertThatThrownBy(
					() -> Resp.execute(withoutCertificate, server.host(), server.port(), Duration.ofSeconds(2), "PING"))
				.isInstanceOf(UncheckedIOException.class);
		}
	}

}
