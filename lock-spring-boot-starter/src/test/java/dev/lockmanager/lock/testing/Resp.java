package dev.lockmanager.lock.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.net.SocketFactory;

/**
 * Just enough of the Redis protocol (RESP2) to send one command and read its reply, so the harness needs no Redis
 * client library.
 */
final class Resp {

	private Resp() {
	}

	/**
	 * Sends {@code command} on a fresh connection and returns the reply: {@code String} for simple and bulk strings,
	 * {@code Long} for integers, {@code List<Object>} for arrays and {@code null} for nil.
	 * @throws IllegalStateException if Redis replies with an error
	 * @throws UncheckedIOException if the server cannot be reached or does not reply within {@code timeout}
	 */
	static Object execute(String host, int port, Duration timeout, String... command) {
		return execute(SocketFactory.getDefault(), host, port, timeout, command);
	}

	/**
	 * As {@link #execute(String, int, Duration, String...)}, on a socket made by {@code sockets} (TLS, for one).
	 */
	static Object execute(SocketFactory sockets, String host, int port, Duration timeout, String... command) {
		int timeoutMillis = Math.toIntExact(timeout.toMillis());
		try (Socket socket = sockets.createSocket()) {
			socket.connect(new InetSocketAddress(host, port), timeoutMillis);
			socket.setSoTimeout(timeoutMillis);
			OutputStream out = new BufferedOutputStream(socket.getOutputStream());
			write(out, command);
			out.flush();
			return read(new BufferedInputStream(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"Redis command " + String.join(" ", command) + " to " + host + ":" + port + " failed", ex);
		}
	}

	private static void write(OutputStream out, String... command) throws IOException {
		out.write(("*" + command.length + "\r\n").getBytes(US_ASCII));
		for (String argument : command) {
			byte[] bytes = argument.getBytes(UTF_8);
			out.write(("$" + bytes.length + "\r\n").getBytes(US_ASCII));
			out.write(bytes);
			out.write("\r\n".getBytes(US_ASCII));
		}
	}

	private static Object read(InputStream in) throws IOException {
		int type = in.read();
		if (type == -1) {
			throw new EOFException("Connection closed before a reply arrived");
		}
		String line = readLine(in);
		switch (type) {
			case '+':
				return line;
			case '-':
				throw new IllegalStateException("Redis replied with error: " + line);
			case ':':
				return Long.parseLong(line);
			case '$':
				return readBulkString(in, Integer.parseInt(line));
			case '*':
				return readArray(in, Integer.parseInt(line));
			default:
				throw new IOException("Unexpected RESP reply: " + (char) type + line);
		}
	}

	private static String readBulkString(InputStream in, int length) throws IOException {
		if (length < 0) {
			return null;
		}
		byte[] bytes = in.readNBytes(length + 2); // payload plus its CRLF
		if (bytes.length < length + 2) {
			throw new EOFException("Connection closed inside a bulk string");
		}
		return new String(bytes, 0, length, UTF_8);
	}

	private static List<Object> readArray(InputStream in, int count) throws IOException {
		if (count < 0) {
			return null;
		}
		// ArrayList rather than List.of: elements may be nil
		List<Object> elements = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			elements.add(read(in));
		}
		return Collections.unmodifiableList(elements);
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != '\r'; b = in.read()) {
			if (b == -1) {
				throw new EOFException("Connection closed inside a reply");
			}
			line.write(b);
		}
		in.read(); // the '\n' ending every RESP line
		return line.toString(UTF_8);
	}

}
