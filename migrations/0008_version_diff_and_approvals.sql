CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"approved_by" uuid,
	"note" text,
	"versions" jsonb NOT NULL,
	"threats" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approvals_kind_check" CHECK (kind in ('reviewer', 'owner'))
);
--> statement-breakpoint
ALTER TABLE "diagram_versions" DROP CONSTRAINT "diagram_versions_kind_check";--> statement-breakpoint
ALTER TABLE "threat_models" ADD COLUMN "require_reviewer_signoff" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "diagram_versions" ADD COLUMN "threats" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "approvals_threat_model_id_idx" ON "approvals" USING btree ("threat_model_id","created_at");--> statement-breakpoint
ALTER TABLE "diagram_versions" ADD CONSTRAINT "diagram_versions_kind_check" CHECK (kind in ('auto', 'manual', 'restore', 'pre_wipe', 'pre_restore', 'approval'));