function Update-ImportShipping {
    <#
    .SYNOPSIS
    Records the shipment of the seed's drives with the import job: carrier, tracking number, drive count
    and ship date.

    .DESCRIPTION
    The fourth step of offline seeding, once the drives are packed and handed to the carrier. The cmdlet
    shows a summary of the shipment and asks for confirmation (ConfirmImpact High; -Confirm:$false in
    scheduled tasks and runbooks); -WhatIf runs the engine's review instead: the job, its drives, the
    ship-to address and the deadlines, without changing anything.

    The engine refuses a tracking number that another import job of the subscription already uses (every
    job needs its own package), sets the job's delivery package and moves the job to Shipping. It saves
    the shipping record (shipping.json) in the staging location, moves the seed to Shipped, and reports
    the deadlines: the drives must reach the datacenter within 14 days after the shipment is recorded,
    and the shipment should be recorded within 14 days after the job was created. A warning (and the
    Window and WindowWarnings properties of the result) says when either is close or past, and which rule.

    Running the cmdlet again with the same tracking number changes nothing; another tracking number while
    the job is still Shipping corrects it.

    .PARAMETER StagingPath
    Staging location of the seed, as given to Start-OfflineSeed.

    .PARAMETER SeedUri
    The published seed (Publish-OfflineSeed's SeedUri, azure://<account>/<container>/<prefix>), instead
    of -StagingPath: for a runbook with no local state. The shipping record is written next to the
    seed's other records in storage. Storage access: the same identity (managed identity by default).

    .PARAMETER CarrierName
    Carrier that takes the package to the datacenter, for example FedEx, DHL or UPS.

    .PARAMETER TrackingNumber
    Tracking number of the package.

    .PARAMETER DriveCount
    Drives in the package, 1 to 10. Default: the drives of the job.

    .PARAMETER ShipDate
    Day the package leaves. Default: today.

    .PARAMETER SubscriptionId
    Azure subscription of the job. Default: the one the seed recorded.

    .PARAMETER ResourceGroupName
    Resource group of the job. Default: the one the seed recorded.

    .PARAMETER PublishSettingsFile
    Legacy Azure publish settings file, read only for the subscription id.

    .PARAMETER ControlPlane
    The Azure control plane of the job: DataBox (a customer-disk job of Azure Data Box, SKU
    DataBoxCustomerDisk, listed under Data Box in the portal) or ImportExport (a classic Azure
    Import/Export job). Default: where the seed's job was created (Import/Export for seeds recorded before Data Box support).

    .PARAMETER Environment
    Azure cloud: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

    .PARAMETER CredentialProfile
    Name of a credential profile saved by New-OfflineSeedCredential: sign in as its application with its
    certificate (tenant, client id and certificate come from the profile).

    .PARAMETER TenantId
    Entra tenant of the service principal.

    .PARAMETER ClientId
    Application (client) id of the service principal.

    .PARAMETER ClientSecret
    Client secret of the service principal, as a SecureString.

    .PARAMETER CertificatePath
    PEM certificate (with its key) of the service principal.

    .PARAMETER AccessToken
    Azure Resource Manager access token, as a SecureString (Get-AzAccessToken).

    .PARAMETER WhatIf
    Shows the review of the shipment and its deadlines, and changes nothing.

    .PARAMETER Confirm
    Asks for confirmation before the shipment is recorded (the default, ConfirmImpact High).

    .EXAMPLE
    Update-ImportShipping -StagingPath F:\Staging -CarrierName FedEx -TrackingNumber 123456789012

    Shows the summary, asks for confirmation, records the shipment and returns an
    OfflineSeed.ShippingRecord with the arrival deadline.

    .EXAMPLE
    Update-ImportShipping -SeedUri azure://contosobackup/backups/fs01 -CarrierName FedEx -TrackingNumber 123456789012 -Confirm:$false

    In an Azure Automation runbook: records the shipment for the published seed, with the Automation
    account's managed identity and no staging location.

    .EXAMPLE
    Update-ImportShipping -StagingPath F:\Staging -CarrierName DHL -TrackingNumber 1234567890 -ShipDate (Get-Date).AddDays(1) -WhatIf

    Reviews a shipment planned for tomorrow and its deadlines without recording it.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a StagingPath property, such as
    OfflineSeed.ImportJob objects from New-OfflineSeedImportJob, bind by property name.

    .OUTPUTS
    OfflineSeed.ShippingRecord

    .NOTES
    Ship all drives of a job in one package with one tracking number, and never mix drives of two jobs
    in a package.

    .LINK
    about_OfflineSeed

    .LINK
    New-OfflineSeedImportJob

    .LINK
    Get-ImportJobStatus
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High', DefaultParameterSetName = 'Staging')]
    [OutputType('OfflineSeed.ShippingRecord')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'Staging')]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'SeedUri')]
        [ValidatePattern('^azure://')]
        [string] $SeedUri,

        [Parameter(Mandatory)]
        [ValidateLength(1, 64)]
        [string] $CarrierName,

        [Parameter(Mandatory)]
        [ValidateLength(1, 128)]
        [string] $TrackingNumber,

        [Parameter()]
        [ValidateRange(1, 10)]
        [int] $DriveCount,

        [Parameter()]
        [datetime] $ShipDate,

        [Parameter()]
        [AllowEmptyString()]
        [string] $SubscriptionId,

        [Parameter()]
        [Alias('ResourceGroup')]
        [AllowEmptyString()]
        [string] $ResourceGroupName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PublishSettingsFile,

        [Parameter()]
        [ValidateSet('DataBox', 'ImportExport')]
        [string] $ControlPlane,

        [Parameter()]
        [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud')]
        [string] $Environment,

        [Parameter()]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $CredentialProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $TenantId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ClientId,

        [Parameter()]
        [System.Security.SecureString] $ClientSecret,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $CertificatePath,

        [Parameter()]
        [System.Security.SecureString] $AccessToken
    )

    process {
        $params = @{
            carrierName    = $CarrierName
            trackingNumber = $TrackingNumber
        }
        if ($PSCmdlet.ParameterSetName -eq 'SeedUri') {
            $staging = $SeedUri
            $params['seedUri'] = $SeedUri
        } else {
            $staging = Resolve-OfflineSeedPath -Path $StagingPath
            $params['stagingPath'] = $staging
        }
        $drives = 'all drives of the job'
        if ($PSBoundParameters.ContainsKey('DriveCount')) {
            $params['driveCount'] = $DriveCount
            $drives = '{0} drive(s)' -f $DriveCount
        }
        $day = [System.DateTime]::UtcNow.ToString('yyyy-MM-dd', [System.Globalization.CultureInfo]::InvariantCulture)
        if ($PSBoundParameters.ContainsKey('ShipDate')) {
            $day = $ShipDate.ToString('yyyy-MM-dd', [System.Globalization.CultureInfo]::InvariantCulture)
            $params['shipDate'] = $day
        }
        if (-not [string]::IsNullOrEmpty($SubscriptionId)) { $params['subscriptionId'] = $SubscriptionId }
        if (-not [string]::IsNullOrEmpty($ResourceGroupName)) { $params['resourceGroup'] = $ResourceGroupName }
        if ($PSBoundParameters.ContainsKey('PublishSettingsFile')) { $params['publishSettingsFile'] = Resolve-OfflineSeedPath -Path $PublishSettingsFile }
        if (-not [string]::IsNullOrEmpty($ControlPlane)) { $params['controlPlane'] = $ControlPlane }
        if ($PSBoundParameters.ContainsKey('AccessToken')) { $params['accessToken'] = $AccessToken }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters

        # The review: what is about to be told to the service, which cannot be taken back.
        $summary = ('Record the shipment of the seed in {0}: carrier {1}, tracking number {2}, {3}, shipped on {4}. The import job moves to Shipping and the drives must then reach the datacenter within 14 days.' -f $staging, $CarrierName, $TrackingNumber, $drives, $day)
        $dryRun = -not $PSCmdlet.ShouldProcess($summary, ('{0} Continue?' -f $summary), 'Update-ImportShipping')
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'job.ship' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
