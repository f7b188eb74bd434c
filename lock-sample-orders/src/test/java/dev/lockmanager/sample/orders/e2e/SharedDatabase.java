package dev.lockmanager.sample.orders.e2e;

import java.nio.file.Path;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The one database that every instance of a test shares: an H2 file database in a temporary directory, which the
 * first process to open it serves to the others ({@code AUTO_SERVER}); contexts in one JVM share it in-process. The
 * test seeds and reads it directly, past the service, so the books are checked against what was really stored.
 */
final class SharedDatabase {

	private final String url;

	private final JdbcClient jdbc;

	SharedDatabase(Path directory) {
		this.url = "jdbc:h2:file:" + directory.resolve("orders").toAbsolutePath()
				+ ";AUTO_SERVER=TRUE;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
		this.jdbc = JdbcClient.create(new DriverManagerDataSource(this.url, "sa", ""));
	}

	String url() {
		return this.url;
	}

	/**
	 * Adds an item of its own to the inventory (the service creates the schema when it starts).
	 */
	void createItem(String itemName, int stock) {
		this.jdbc.sql("INSERT INTO tb_inventory (item_name, quantity) VALUES (?, ?)").params(itemName, stock).update();
	}

	int stock(String itemName) {
		return this.jdbc.sql("SELECT quantity FROM tb_inventory WHERE item_name = ?")
			.param(itemName)
			.query(Integer.class)
			.single();
	}

	List<OrderRow> orders(String itemName) {
		return this.jdbc.sql("SELECT id, quantity, fencing_token FROM tb_order WHERE item_name = ? ORDER BY id")
			.param(itemName)
			.query(OrderRow.class)
			.list();
	}

	/**
	 * One row of {@code tb_order}.
	 *
	 * @param id the order id
	 * @param quantity units ordered
	 * @param fencingToken the token of the lease it was placed under (0 when unlocked)
	 */
	record OrderRow(long id, int quantity, long fencingToken) {
	}

}
