CREATE TABLE "mitigations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" text DEFAULT 'proposed' NOT NULL,
	"risk_reduction" integer DEFAULT 0 NOT NULL,
	"issue_url" text,
	"owner_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mitigations_name_not_empty" CHECK (length("mitigations"."name") > 0),
	CONSTRAINT "mitigations_status_check" CHECK (status in ('proposed', 'in_progress', 'implemented', 'verified', 'rejected')),
	CONSTRAINT "mitigations_risk_reduction_range" CHECK ("mitigations"."risk_reduction" >= 0 and "mitigations"."risk_reduction" <= 100)
);
--> statement-breakpoint
CREATE TABLE "suggestion_dismissals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"diagram_id" uuid NOT NULL,
	"cell_id" uuid NOT NULL,
	"rule_id" text NOT NULL,
	"reason" text NOT NULL,
	"dismissed_by" uuid,
	"dismissed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suggestion_dismissals_reason_length" CHECK (length("suggestion_dismissals"."reason") between 1 and 1000)
);
--> statement-breakpoint
CREATE TABLE "threat_mitigations" (
	"threat_id" uuid NOT NULL,
	"mitigation_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "threat_mitigations_threat_id_mitigation_id_pk" PRIMARY KEY("threat_id","mitigation_id")
);
--> statement-breakpoint
ALTER TABLE "threats" ADD COLUMN "cell_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "threats" ADD COLUMN "rule_id" text;--> statement-breakpoint
ALTER TABLE "mitigations" ADD CONSTRAINT "mitigations_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mitigations" ADD CONSTRAINT "mitigations_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mitigations" ADD CONSTRAINT "mitigations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suggestion_dismissals" ADD CONSTRAINT "suggestion_dismissals_diagram_id_diagrams_id_fk" FOREIGN KEY ("diagram_id") REFERENCES "public"."diagrams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suggestion_dismissals" ADD CONSTRAINT "suggestion_dismissals_dismissed_by_users_id_fk" FOREIGN KEY ("dismissed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threat_mitigations" ADD CONSTRAINT "threat_mitigations_threat_id_threats_id_fk" FOREIGN KEY ("threat_id") REFERENCES "public"."threats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threat_mitigations" ADD CONSTRAINT "threat_mitigations_mitigation_id_mitigations_id_fk" FOREIGN KEY ("mitigation_id") REFERENCES "public"."mitigations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mitigations_threat_model_id_created_at_idx" ON "mitigations" USING btree ("threat_model_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "suggestion_dismissals_diagram_cell_rule_unique" ON "suggestion_dismissals" USING btree ("diagram_id","cell_id","rule_id");--> statement-breakpoint
CREATE INDEX "threat_mitigations_mitigation_id_idx" ON "threat_mitigations" USING btree ("mitigation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "threats_diagram_cell_rule_unique" ON "threats" USING btree ("diagram_id","cell_id","rule_id") WHERE rule_id is not null;