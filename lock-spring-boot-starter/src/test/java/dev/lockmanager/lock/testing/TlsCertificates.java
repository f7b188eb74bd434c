package dev.lockmanager.lock.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority and two certificates it signed, one for a server on {@code 127.0.0.1} and
 * {@code localhost} and one for a client, as the PEM files {@code redis-server} and Spring Boot's PEM SSL bundles
 * read. Made with the JDK's {@code keytool} (no openssl needed); the private keys are exported as unencrypted PKCS#8
 * PEM. Valid for two days; {@link #close()} deletes the files.
 *
 * <pre>{@code
 * try (TlsCertificates certificates = TlsCertificates.create();
 *         RedisServer redis = RedisServer.withTls(certificates)) {
 *     redis.start();
 *     // spring.ssl.bundle.pem.redis.truststore.certificate=file:<certificates.authority()>
 * }
 * }</pre>
 */
public final class TlsCertificates implements AutoCloseable {

	private static final String PASSWORD = "changeit";

	private final Path directory;

	private TlsCertificates(Path directory) {
		this.directory = directory;
	}

	/**
	 * Creates the authority and signs a server and a client certificate with it.
	 * @return the certificates, in a new temporary directory
	 * @throws IllegalStateException if {@code keytool} fails
	 */
	public static TlsCertificates create() {
		Path directory;
		try {
			directory = Files.createTempDirectory("tls-certificates-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create a directory for certificates", ex);
		}
		TlsCertificates certificates = new TlsCertificates(directory);
		try {
			certificates.generateKeyPair("ca", "CN=Lock Manager test CA", "-ext", "bc:c");
			certificates.export("ca", "ca.p12", "ca.crt", null);
			certificates.sign("server", "CN=127.0.0.1", "SAN=ip:127.0.0.1,dns:localhost");
			certificates.sign("client", "CN=lock-manager-client", "EKU=clientAuth");
			return certificates;
		}
		catch (RuntimeException ex) {
			certificates.close();
			throw ex;
		}
	}

	/**
	 * @return the authority's certificate (PEM): what clients and servers trust
	 */
	public Path authority() {
		return this.directory.resolve("ca.crt");
	}

	/**
	 * @return the server's certificate (PEM), for {@code 127.0.0.1} and {@code localhost}
	 */
	public Path serverCertificate() {
		return this.directory.resolve("server.crt");
	}

	/**
	 * @return the server's private key (PKCS#8 PEM)
	 */
	public Path serverKey() {
		return this.directory.resolve("server.key");
	}

	/**
	 * @return the client's certificate (PEM)
	 */
	public Path clientCertificate() {
		return this.directory.resolve("client.crt");
	}

	/**
	 * @return the client's private key (PKCS#8 PEM)
	 */
	public Path clientKey() {
		return this.directory.resolve("client.key");
	}

	/**
	 * Returns a context that trusts the authority and presents the client certificate, for the harness's own
	 * connections.
	 * @return the context
	 */
	SSLContext clientContext() {
		return clientContext(true);
	}

	/**
	 * Returns a context that trusts the authority and, if asked, presents the client certificate.
	 */
	SSLContext clientContext(boolean presentCertificate) {
		try {
			KeyStore trusted = KeyStore.getInstance("PKCS12");
			trusted.load(null, null);
			trusted.setCertificateEntry("ca", load("ca.p12").getCertificate("ca"));
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trusted);
			KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keys.init(load("client.p12"), PASSWORD.toCharArray());
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(presentCertificate ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("Could not build a TLS context from " + this.directory, ex);
		}
	}

	/**
	 * Deletes the certificates and keys.
	 */
	@Override
	public void close() {
		try (Stream<Path> paths = Files.walk(this.directory)) {
			for (Path file : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not delete " + this.directory, ex);
		}
	}

	/**
	 * Makes a key pair for {@code name}, has the authority sign it, and exports the signed certificate and the key.
	 */
	private void sign(String name, String subject, String extension) {
		String keystore = name + ".p12";
		generateKeyPair(name, subject);
		keytool("-certreq", "-alias", name, "-keystore", keystore, "-file", name + ".csr");
		keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", name + ".csr", "-outfile",
				name + ".crt", "-ext", extension, "-rfc", "-validity", "2");
		// The key store still holds the self-signed certificate: replace it with the one the authority signed, which
		// keytool accepts once the store knows the authority
		keytool("-importcert", "-alias", "ca", "-keystore", keystore, "-file", "ca.crt", "-noprompt");
		keytool("-importcert", "-alias", name, "-keystore", keystore, "-file", name + ".crt");
		export(name, keystore, null, name + ".key");
	}

	private void generateKeyPair(String name, String subject, String... extensions) {
		List<String> arguments = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-dname", subject, "-keystore",
				name + ".p12", "-keypass", PASSWORD, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
		arguments.addAll(List.of(extensions));
		keytool(arguments.toArray(String[]::new));
	}

	private void export(String alias, String keystore, String certificateFile, String keyFile) {
		try {
			KeyStore store = load(keystore);
			if (certificateFile != null) {
				Certificate certificate = store.getCertificate(alias);
				Files.writeString(this.directory.resolve(certificateFile), pem("CERTIFICATE", certificate.getEncoded()));
			}
			if (keyFile != null) {
				byte[] key = store.getKey(alias, PASSWORD.toCharArray()).getEncoded();
				Files.writeString(this.directory.resolve(keyFile), pem("PRIVATE KEY", key));
			}
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not export " + alias + " from " + keystore, ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not export " + alias + " from " + keystore, ex);
		}
	}

	private KeyStore load(String keystore) throws GeneralSecurityException {
		try (InputStream in = Files.newInputStream(this.directory.resolve(keystore))) {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(in, PASSWORD.toCharArray());
			return store;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read " + keystore, ex);
		}
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	private void keytool(String... arguments) {
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
		command.addAll(List.of(arguments));
		command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
		try {
			Process keytool = new ProcessBuilder(command).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.start();
			String output = new String(keytool.getInputStream().readAllBytes(), UTF_8);
			if (keytool.waitFor() != 0) {
				throw new IllegalStateException("keytool " + String.join(" ", arguments) + " failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run keytool", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running keytool", ex);
		}
	}

}
