package dev.lockmanager.sample.orders;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code tb_inventory} table: stock per item, and the fencing token of the last lease that claimed it.
 */
@Repository
public class Inventory {

	private final JdbcClient jdbc;

	public Inventory(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	public Optional<Stock> find(String itemName) {
		return this.jdbc.sql("SELECT item_name, quantity, fencing_token FROM tb_inventory WHERE item_name = ?")
			.param(itemName)
			.query(Stock.class)
			.optional();
	}

	public List<Stock> findAll() {
		return this.jdbc.sql("SELECT item_name, quantity, fencing_token FROM tb_inventory ORDER BY item_name")
			.query(Stock.class)
			.list();
	}

	/**
	 * Claims the row for a lease before it is read: records the lease's fencing token on it, unless a lease with the
	 * same or a newer token claimed it already. The update also locks the row until the transaction ends, so a
	 * newer holder's claim waits for an older holder's open transaction and then reads what it committed.
	 * @return whether the row was claimed (false: a newer lease claimed it, or the item does not exist)
	 */
	public boolean claim(String itemName, long fencingToken) {
		return this.jdbc.sql("UPDATE tb_inventory SET fencing_token = ? WHERE item_name = ? AND fencing_token < ?")
			.params(fencingToken, itemName, fencingToken)
			.update() == 1;
	}

	/**
	 * Writes the new stock of a row claimed with {@link #claim}, only while no newer lease has claimed it since.
	 * @return whether the row was written
	 */
	public boolean update(String itemName, int quantity, long fencingToken) {
		return this.jdbc.sql("UPDATE tb_inventory SET quantity = ? WHERE item_name = ? AND fencing_token = ?")
			.params(quantity, itemName, fencingToken)
			.update() == 1;
	}

	/**
	 * Writes the new stock unconditionally: only for the unlocked demonstration, where there is no fencing token.
	 */
	public void overwrite(String itemName, int quantity) {
		this.jdbc.sql("UPDATE tb_inventory SET quantity = ? WHERE item_name = ?").params(quantity, itemName).update();
	}

	/**
	 * One item's stock.
	 *
	 * @param itemName the item
	 * @param quantity units in stock
	 * @param fencingToken the fencing token of the last lease that claimed the row
	 */
	public record Stock(String itemName, int quantity, long fencingToken) {
	}

}
