package dev.lockmanager.lock.benchmark.sample;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection placing orders of one unit, for one client thread; not thread-safe.
 *
 * <p>Why not the JDK's {@code HttpClient}: on this 2-core machine it took about a third of a core at 300 orders/s
 * (its selector thread, its futures, and C2 still compiling them after half a minute), CPU taken from the service
 * under test. This writes one prepared request on a blocking socket and reads the status line, the three headers
 * that frame the answer (Content-Length, Transfer-Encoding: chunked, Connection: close) and the body, which is kept
 * because a refusal's body says why. It reconnects after the server closes the connection (Tomcat does every 100
 * requests) or after an I/O error.
 */
final class OrderConnection implements AutoCloseable {

	/** Longer than the sample's 5 s lock wait: a slow order is answered by the service, not cut off here. */
	private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

	private final InetSocketAddress address;

	private final byte[] request;

	private Socket socket;

	private InputStream in;

	private OutputStream out;

	OrderConnection(URI instance, String item) {
		this.address = new InetSocketAddress(instance.getHost(), instance.getPort());
		String body = "{\"item_name\":\"" + item + "\",\"quantity\":1}";
		this.request = ("POST /order HTTP/1.1\r\nHost: " + instance.getHost() + ":" + instance.getPort()
				+ "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
			.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Orders one unit of the item.
	 * @return the answer, or status 0 with the I/O error as body when no answer came: a dead instance shows up among
	 * the results instead of ending the run
	 */
	Answer place() {
		try {
			if (this.socket == null) {
				connect();
			}
			this.out.write(this.request);
			this.out.flush();
			return readAnswer();
		}
		catch (IOException ex) {
			close();
			return new Answer(0, ex.toString());
		}
	}

	@Override
	public void close() {
		if (this.socket != null) {
			try {
				this.socket.close();
			}
			catch (IOException ex) {
				// Nothing left to release: the connection is being dropped either way.
			}
			this.socket = null;
		}
	}

	private void connect() throws IOException {
		Socket connecting = new Socket();
		try {
			connecting.setTcpNoDelay(true);
			connecting.connect(this.address, (int) CONNECT_TIMEOUT.toMillis());
			connecting.setSoTimeout((int) READ_TIMEOUT.toMillis());
		}
		catch (IOException ex) {
			connecting.close();
			throw ex;
		}
		this.socket = connecting;
		this.in = new BufferedInputStream(connecting.getInputStream());
		this.out = connecting.getOutputStream();
	}

	private Answer readAnswer() throws IOException {
		String statusLine = readLine();
		// "HTTP/1.1 201 " and the reason phrase, if any
		int status = Integer.parseInt(statusLine.substring(9, 12));
		long contentLength = -1;
		boolean chunked = false;
		boolean closeAfter = false;
		for (String header = readLine(); !header.isEmpty(); header = readLine()) {
			int colon = header.indexOf(':');
			String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
			String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
			switch (name) {
				case "content-length" -> contentLength = Long.parseLong(value);
				case "transfer-encoding" -> chunked = value.contains("chunked");
				case "connection" -> closeAfter = value.contains("close");
				default -> {
				}
			}
		}
		String body;
		if (chunked) {
			body = readChunked();
		}
		else if (contentLength >= 0) {
			body = new String(readExactly((int) contentLength), StandardCharsets.UTF_8);
		}
		else {
			// Neither length nor chunks: the body ends with the connection.
			body = new String(this.in.readAllBytes(), StandardCharsets.UTF_8);
			closeAfter = true;
		}
		if (closeAfter) {
			close();
		}
		return new Answer(status, body);
	}

	private String readChunked() throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (int size = chunkSize(); size > 0; size = chunkSize()) {
			body.write(readExactly(size));
			readLine(); // the CRLF closing the chunk
		}
		while (!readLine().isEmpty()) {
			// trailer fields, none expected
		}
		return body.toString(StandardCharsets.UTF_8);
	}

	private int chunkSize() throws IOException {
		String line = readLine();
		int extension = line.indexOf(';');
		return Integer.parseInt((extension < 0) ? line.trim() : line.substring(0, extension).trim(), 16);
	}

	private byte[] readExactly(int length) throws IOException {
		byte[] bytes = this.in.readNBytes(length);
		if (bytes.length < length) {
			throw new EOFException("Connection closed after " + bytes.length + " of " + length + " bytes");
		}
		return bytes;
	}

	/** Reads up to CRLF (or LF) and returns the line without it; headers are ASCII. */
	private String readLine() throws IOException {
		StringBuilder line = new StringBuilder(64);
		for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
			if (b < 0) {
				throw new EOFException("Connection closed by " + this.address);
			}
			if (b != '\r') {
				line.append((char) b);
			}
		}
		return line.toString();
	}

	/**
	 * One answer to {@code POST /order}.
	 *
	 * @param status the HTTP status, 0 when no answer came
	 * @param body the response body, or the I/O error
	 */
	record Answer(int status, String body) {
	}

}
