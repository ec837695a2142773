//! Webhooks: endpoints admins register (`webhook`), and the outbox of deliveries
//! (`webhook_delivery`), one per endpoint and change event, written in the change's own
//! transaction so that no committed change goes undelivered, and worked off by every instance
//! (each delivery claimed by one at a time).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Url,
    Events,
    Secret,
    Active,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    WebhookId,
    EventId,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastStatusCode,
    LastDurationMs,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(
                        ColumnDef::new(Webhook::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Webhook::Url).string_len(2048).not_null())
                    .col(ColumnDef::new(Webhook::Events).string_len(200).not_null())
                    .col(ColumnDef::new(Webhook::Secret).string_len(200).not_null())
                    .col(ColumnDef::new(Webhook::Active).boolean().not_null())
                    .col(
                        ColumnDef::new(Webhook::CreatedBy)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Webhook::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Webhook::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        let id = match manager.get_database_backend() {
            sea_orm::DbBackend::Sqlite => ColumnDef::new(WebhookDelivery::Id)
                .integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned(),
            _ => ColumnDef::new(WebhookDelivery::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned(),
        };
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(id)
                    .col(
                        ColumnDef::new(WebhookDelivery::WebhookId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::EventId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookDelivery::Payload).text().not_null())
                    .col(
                        ColumnDef::new(WebhookDelivery::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::Attempts)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::LastStatusCode)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::LastDurationMs)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::LastError)
                            .string_len(500)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::DeliveredAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_delivery_webhook")
                            .from(WebhookDelivery::Table, WebhookDelivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_due")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_webhook")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::WebhookId)
                    .col(WebhookDelivery::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_is_current(manager).await?;
        manager
            .drop_table(Table::drop().table(WebhookDelivery::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Webhook::Table).to_owned())
            .await
    }
}
